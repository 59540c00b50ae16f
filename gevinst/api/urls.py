from django.urls import path
from rest_framework.routers import SimpleRouter

from gevinst.api.views import (
    BenefitPlanApproveView,
    BenefitPlanView,
    BenefitViewSet,
    ProjectAssessmentsView,
)

router = SimpleRouter()
router.register("benefits", BenefitViewSet, basename="benefit")

urlpatterns = [
    *router.urls,
    path("projects/<int:pk>/assessments/", ProjectAssessmentsView.as_view(),
         name="api-project-assessments"),
    path("projects/<int:pk>/benefit-plan/", BenefitPlanView.as_view(),
         name="api-project-benefit-plan"),
    path("projects/<int:pk>/benefit-plan/approve/", BenefitPlanApproveView.as_view(),
         name="api-project-benefit-plan-approve"),
]
