"""The benefits API. Reads are scoped by gevinst.access; every write calls exactly one service,
the same the HTML views call."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gevinst import selectors, services
from gevinst.access import benefits_visible_to, get_benefit_for_user, get_project_for_benefits
from gevinst.api.serializers import (
    AssessmentInput,
    AssessmentSerializer,
    BenefitInput,
    BenefitPlanApproveInput,
    BenefitPlanInput,
    BenefitPlanSerializer,
    BenefitSerializer,
    MeasurementInput,
    MeasurementSerializer,
)
from gevinst.models import Benefit, BenefitPlan, BenefitStatus, BenefitType
from initiatives.models import Dimension
from portal.access import member_by_username
from portal.api.base import ScopedAPIView, ScopedViewSetMixin
from portal.api.filters import ScopedFilterSet
from portal.errors import DomainError


class BenefitFilter(ScopedFilterSet):
    organisation = django_filters.CharFilter(field_name="project__organisation__org_number")
    owner = django_filters.CharFilter(field_name="owner__username")
    type = django_filters.ChoiceFilter(choices=BenefitType.choices)
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices)
    status = django_filters.ChoiceFilter(choices=BenefitStatus.choices)

    class Meta:
        model = Benefit
        fields = ["project", "organisation", "type", "dimension", "owner", "status"]


def _service_fields(data: dict, organisation_id: int) -> dict:
    fields = {k: v for k, v in data.items() if k not in ("project", "version")}
    if "owner" in fields and fields["owner"] is not None:
        # Within the project's organisation only: a username of another organisation is
        # as unknown as one that does not exist.
        fields["owner"] = member_by_username(organisation_id, fields["owner"], field="owner")
    return fields


class BenefitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Benefits of the projects of the user's organisations."""

    queryset = selectors.benefits_with_latest(
        Benefit.objects.select_related("project__organisation")).order_by("project", "id")
    serializer_class = BenefitSerializer
    filterset_class = BenefitFilter

    def scope_queryset(self, queryset, user):
        return queryset.filter(pk__in=benefits_visible_to(user).values("pk"))

    def _out(self, benefit: Benefit, code=status.HTTP_200_OK) -> Response:
        benefit = self.get_queryset().get(pk=benefit.pk)
        return Response(BenefitSerializer(benefit, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=BenefitInput, responses={201: BenefitSerializer})
    def create(self, request):
        data = BenefitInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = get_project_for_benefits(request.user, data.validated_data["project"],
                                           write=True)
        benefit = services.benefit_create(actor=request.user, project=project,
                                          **_service_fields(data.validated_data,
                                                            project.organisation_id))
        return self._out(benefit, status.HTTP_201_CREATED)

    @extend_schema(request=BenefitInput, responses={200: BenefitSerializer})
    def partial_update(self, request, pk=None):
        benefit = get_benefit_for_user(request.user, pk, write=True)
        data = BenefitInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("version") is None:
            raise DomainError(_("Oppgi versjonen du endret."), field="version")
        benefit = services.benefit_update(actor=request.user, benefit=benefit,
                                          expected_version=data.validated_data["version"],
                                          **_service_fields(data.validated_data,
                                                            benefit.project.organisation_id))
        return self._out(benefit)

    @extend_schema(request=BenefitInput, responses={200: BenefitSerializer})
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    @extend_schema(methods=["GET"], request=None,
                   responses={200: MeasurementSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MeasurementInput,
                   responses={201: MeasurementSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def measurements(self, request, pk=None):
        """GET: the benefit's measurements by date. POST: a new measurement (editors)."""
        write = request.method == "POST"
        benefit = get_benefit_for_user(request.user, pk, write=write)
        if not write:
            rows = benefit.measurements.select_related("entered_by").order_by("measured_on",
                                                                              "id")
            return Response(MeasurementSerializer(rows, many=True).data)
        data = MeasurementInput(data=request.data)
        data.is_valid(raise_exception=True)
        measurement = services.measurement_create(actor=request.user, benefit=benefit,
                                                  **data.validated_data)
        return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


class ProjectAssessmentsView(ScopedAPIView, generics.GenericAPIView):
    """A project's benefit assessments (nytteverdi): list, and add one (editors). Realised
    assessments only from implementation on."""

    scoped_by = (get_project_for_benefits,)
    serializer_class = AssessmentSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={200: AssessmentSerializer(many=True)})
    def get(self, request, pk: int):
        project = get_project_for_benefits(request.user, pk)
        rows = (project.initiative.assessments.select_related("assessor")
                .order_by("assessed_on", "id"))
        return Response(AssessmentSerializer(rows, many=True).data)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentSerializer})
    def post(self, request, pk: int):
        project = get_project_for_benefits(request.user, pk, write=True)
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_create(actor=request.user, project=project,
                                                **data.validated_data)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class BenefitPlanView(ScopedAPIView, generics.GenericAPIView):
    """A project's benefit realisation plan. GET creates nothing: a project without a plan
    answers with an empty draft."""

    scoped_by = (get_project_for_benefits,)
    serializer_class = BenefitPlanSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={200: BenefitPlanSerializer})
    def get(self, request, pk: int):
        project = get_project_for_benefits(request.user, pk)
        plan = BenefitPlan.objects.filter(project=project).first() or BenefitPlan(
            project=project, version=0)
        return Response(BenefitPlanSerializer(plan).data)

    @extend_schema(request=BenefitPlanInput, responses={200: BenefitPlanSerializer})
    def put(self, request, pk: int):
        project = get_project_for_benefits(request.user, pk, write=True)
        data = BenefitPlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("version") is None:
            # Without it a second editor would overwrite the first one's plan unseen.
            raise DomainError(_("Oppgi versjonen du endret (0 når prosjektet ikke har plan)."),
                              field="version")
        plan = services.benefit_plan_save(actor=request.user, project=project,
                                          expected_version=fields.pop("version", None),
                                          **fields)
        return Response(BenefitPlanSerializer(plan).data)


class BenefitPlanApproveView(ScopedAPIView, generics.GenericAPIView):
    """A manager or admin of the project's organisation approves the plan."""

    scoped_by = (get_project_for_benefits,)
    serializer_class = BenefitPlanSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request=BenefitPlanApproveInput, responses={200: BenefitPlanSerializer})
    def post(self, request, pk: int):
        project = get_project_for_benefits(request.user, pk)
        data = BenefitPlanApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.benefit_plan_approve(actor=request.user, project=project,
                                             expected_version=data.validated_data.get("version"))
        return Response(BenefitPlanSerializer(plan).data)
