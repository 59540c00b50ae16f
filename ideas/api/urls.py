from rest_framework.routers import SimpleRouter

from ideas.api.views import IdeaViewSet

router = SimpleRouter()
router.register("ideas", IdeaViewSet, basename="idea")

urlpatterns = [*router.urls]
