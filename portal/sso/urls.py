from django.urls import path

from portal.sso import oidc, views

urlpatterns = [
    path("", views.sso_start, name="sso-start"),
    path("<slug:slug>/login/", oidc.ProviderLoginView.as_view(), name="sso-login"),
    path("<slug:slug>/callback/", oidc.ProviderCallbackView.as_view(), name="sso-callback"),
]
