from django.urls import include, path
from rest_framework.routers import SimpleRouter

from portal.api.views import MeView, OrganisationViewSet, UnitViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("units", UnitViewSet, basename="unit")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
    path("", include("ideas.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("gevinst.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("indicators.urls_api")),
    path("", include("exchange.urls_api")),
]
