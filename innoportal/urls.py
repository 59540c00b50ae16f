from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from exchange import urls as exchange_urls
from indicators import urls as indicator_urls
from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("organisation/", views.org_admin_index, name="org-admin"),
    path("organisation/<str:org_number>/members/", views.org_members, name="org-members"),
    path("organisation/<str:org_number>/members/<int:pk>/role/", views.org_member_role,
         name="org-member-role"),
    path("organisation/<str:org_number>/members/<int:pk>/remove/", views.org_member_remove,
         name="org-member-remove"),
    path("organisation/<str:org_number>/units/", views.org_units, name="org-units"),
    path("organisation/<str:org_number>/units/<int:pk>/", views.org_unit_edit,
         name="org-unit-edit"),
    path("", include("overview.urls")),
    path("ideas/", include("ideas.urls")),
    path("projects/", include("projects.urls")),
    path("benefits/", include("gevinst.urls")),
    path("notifications/", include("notifications.urls")),
    # The indicator pages, with the exchange format's upload page in their namespace.
    path("indicators/", include(([*indicator_urls.urlpatterns, *exchange_urls.indicator_pages],
                                 "indicators"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("innoportal.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler500 = "portal.views.server_error"
handler404 = "portal.views.page_not_found"
