from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from tests.oidc_provider.faults import control

urlpatterns = [
    path("login/", LoginView.as_view(template_name="op_login.html"), name="login"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
    path("test-control/", csrf_exempt(control)),
    # Browsers ask for it on every page; a 404 would show up as a console error in the tests.
    path("favicon.ico", lambda request: HttpResponse(status=204)),
]
