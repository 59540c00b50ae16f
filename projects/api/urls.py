from rest_framework.routers import SimpleRouter

from portal.params import ID_PATTERN
from projects.api.content import CONTENT_VIEWSETS
from projects.api.views import ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
for kind, viewset in CONTENT_VIEWSETS.items():
    router.register(rf"projects/(?P<project_pk>{ID_PATTERN})/{kind}", viewset,
                    basename=f"project-{kind}")

urlpatterns = [*router.urls]
