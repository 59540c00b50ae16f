import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from initiatives.models import Phase
from portal.access import organisations_where
from portal.api.base import ScopedReadOnlyViewSet
from portal.api.filters import ScopedFilterSet
from portal.errors import DomainError
from projects import services
from projects.access import (
    get_project_for_user,
    is_member,
    may_read_decisions,
    visible_projects,
)
from projects.api.serializers import (
    AdoptInput,
    ChecklistRowSerializer,
    ChecklistTickInput,
    PhaseChangeSerializer,
    ProjectSerializer,
    TransitionInput,
)
from projects.models import GateChecklistItem, Project, Visibility, WelfareArea
from projects.selectors import phase_history
from projects.services.checklists import gate_checklist


class ProjectFilter(ScopedFilterSet):
    phase = django_filters.ChoiceFilter(field_name="initiative__phase", choices=Phase.choices)
    organisation = django_filters.CharFilter(field_name="organisation__org_number")
    leader = django_filters.CharFilter(field_name="leader__username")
    welfare_area = django_filters.ChoiceFilter(choices=WelfareArea.choices)
    area = django_filters.ChoiceFilter(field_name="welfare_area", choices=WelfareArea.choices,
                                       help_text="Alias of welfare_area.")
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)

    class Meta:
        model = Project
        fields = ["phase", "organisation", "unit", "leader", "welfare_area", "area",
                  "visibility"]


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Projects of the user's organisations and those shared with them."""

    queryset = (Project.objects.select_related("initiative", "organisation", "leader")
                .order_by("-updated_at", "-id"))
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def scope_queryset(self, queryset, user):
        return queryset.filter(visible_projects(user))

    @extend_schema(request=TransitionInput, responses={200: PhaseChangeSerializer(many=True),
                                                       201: PhaseChangeSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def transitions(self, request, pk=None):
        """GET: the project's phase history. POST: a gate decision (managers and admins)."""
        project = get_project_for_user(request.user, pk)
        if request.method == "GET":
            history, details = phase_history(project, user=request.user)
            return Response(PhaseChangeSerializer(
                history, many=True, context={"user": request.user, "details": details}).data)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.project_transition(actor=request.user, project=project,
                                             **data.validated_data)
        return Response(PhaseChangeSerializer(change, context={
            "user": request.user, "details": may_read_decisions(request.user, project)}).data,
            status=201)

    @extend_schema(request=AdoptInput, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """Adopt a shared project into one of your organisations (managers and admins)."""
        origin = get_project_for_user(request.user, pk)
        data = AdoptInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisations_where(request.user).filter(
            org_number=data.validated_data["organisation"]).first()
        if organisation is None:
            raise DomainError("Du er ikke medlem av denne organisasjonen.",
                              field="organisation")
        adopted = services.project_adopt(
            actor=request.user, origin=origin, organisation=organisation,
            start_phase=data.validated_data["start_phase"],
            effective_date=data.validated_data.get("effective_date"),
            rationale=data.validated_data["rationale"])
        adopted = self.queryset.get(pk=adopted.pk)
        return Response(ProjectSerializer(adopted).data, status=201)

    @extend_schema(request=ChecklistTickInput,
                   responses={200: ChecklistRowSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def checklist(self, request, pk=None):
        """GET: the gate checklist of the current phase (members of the organisation).
        POST: tick an item (done true) or open it again (the leader, managers, admins)."""
        project = get_project_for_user(request.user, pk)
        if not is_member(request.user, project):
            raise Http404
        if request.method == "POST":
            data = ChecklistTickInput(data=request.data)
            data.is_valid(raise_exception=True)
            item = GateChecklistItem.objects.filter(
                pk=data.validated_data["item"], organisation_id=project.organisation_id).first()
            if item is None:
                raise DomainError("Punktet hører ikke til prosjektets sjekkliste.",
                                  field="item")
            services.checklist_tick(actor=request.user, project=project, item=item,
                                    done=data.validated_data["done"])
        return Response(ChecklistRowSerializer(gate_checklist(project), many=True).data)
