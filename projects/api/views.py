import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ScopedReadOnlyViewSet
from projects import services
from projects.access import get_project_for_user, projects_visible_to
from projects.api.serializers import PhaseChangeSerializer, ProjectSerializer, TransitionInput
from projects.models import Phase, Project, Visibility, WelfareArea


class ProjectFilter(django_filters.FilterSet):
    phase = django_filters.ChoiceFilter(field_name="initiative__phase", choices=Phase.choices)
    organisation = django_filters.CharFilter(field_name="organisation__org_number")
    leader = django_filters.CharFilter(field_name="leader__username")
    welfare_area = django_filters.ChoiceFilter(choices=WelfareArea.choices)
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)

    class Meta:
        model = Project
        fields = ["phase", "organisation", "unit", "leader", "welfare_area", "visibility"]


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Projects of the user's organisations and those shared with them."""

    queryset = (Project.objects.select_related("initiative", "organisation", "leader")
                .order_by("-updated_at", "-id"))
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def scope_queryset(self, queryset, user):
        return queryset.filter(pk__in=projects_visible_to(user).values("pk"))

    @extend_schema(request=TransitionInput, responses={200: PhaseChangeSerializer(many=True),
                                                       201: PhaseChangeSerializer})
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, pk=None):
        """GET: the project's phase history. POST: a gate decision (managers and admins)."""
        project = get_project_for_user(request.user, pk)
        if request.method == "GET":
            history = project.initiative.phase_changes.select_related("decided_by").order_by(
                "effective_date", "id")
            return Response(PhaseChangeSerializer(history, many=True).data)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.project_transition(actor=request.user, project=project,
                                             **data.validated_data)
        return Response(PhaseChangeSerializer(change).data, status=201)
