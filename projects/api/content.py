"""The project content API: /api/v1/projects/<project_pk>/<kind>/ for team, participants,
partners, funding, costs, risks, milestones and links. Members of the project's organisation
read it (it is not shared outside); writes call the same services as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal.api.base import ScopedViewSetMixin
from portal.dates import DateRangeValidator
from portal.errors import DomainError
from portal.models import Organisation
from projects import services
from projects.access import get_project_for_user, is_member, may_edit
from projects.services.content import (
    CONTENT_DATE_KINDS,
    CONTENT_KINDS,
    ContentKind,
    item_version,
)

PROJECT_PK = OpenApiParameter("project_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                              description="The project's id.")
ITEM_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                           description="The item's id.")


class ItemVersionField(serializers.IntegerField):
    """The row's version (services.content.item_version), read from the row and sent back on
    PUT/PATCH: in the schema of every content operation, so a client that follows the schema
    sends it (issue 15)."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(min_value=0, required=False, **kwargs)

    def get_attribute(self, instance):
        return item_version(self.kind, instance)


def _serializer(spec: ContentKind) -> type[serializers.ModelSerializer]:
    extra = {name: {"validators": [DateRangeValidator(kind.value)]}
             for name, kind in CONTENT_DATE_KINDS.items() if name in spec.fields}
    attrs = {"Meta": type("Meta", (), {"model": spec.model, "extra_kwargs": extra,
                                       "fields": ["id", *spec.fields, "version"]}),
             "version": ItemVersionField(spec.key, help_text=(
                 "The row's version, as read. Required on PUT and PATCH (409 "
                 "`stale_version` if the row moved on); ignored on POST."))}
    if "organisation" in spec.fields:
        attrs["organisation"] = serializers.SlugRelatedField(
            slug_field="org_number", queryset=Organisation.objects.all())
    if spec.key == "risks":
        attrs["score"] = serializers.IntegerField(read_only=True)
        attrs["Meta"].fields = ["id", *spec.fields, "score", "version"]
    return type(f"{spec.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


class ProjectContentViewSet(ScopedViewSetMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Base of the per-kind viewsets below; `kind` names the CONTENT_KINDS entry."""

    kind: str = ""
    pagination_class = None  # a project's content is short; the whole list at once

    def _project(self, *, write: bool = False):
        project = get_project_for_user(self.request.user, self.kwargs["project_pk"])
        # The content is the organisation's own: readers of a shared project elsewhere
        # do not learn that it exists.
        if not is_member(self.request.user, project):
            raise Http404
        if write and not may_edit(self.request.user, project):
            raise PermissionDenied
        return project

    def scope_queryset(self, queryset, user):
        return queryset.filter(project=self._project())

    def create(self, request, project_pk=None):
        project = self._project(write=True)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "version"}
        item = services.project_item_add(actor=request.user, project=project, kind=self.kind,
                                         data=fields)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, project_pk=None, pk=None, partial=False):
        project = self._project(write=True)
        instance = self.get_object()
        data = self.get_serializer(instance, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        if version is None:
            raise DomainError(_("Oppgi versjonen du endret (feltet «version» fra GET)."),
                              field="version")
        item = services.project_item_update(actor=request.user, project=project,
                                            kind=self.kind, instance=instance,
                                            data=fields, expected_version=version)
        return Response(self.get_serializer(item).data)

    def partial_update(self, request, project_pk=None, pk=None):
        return self.update(request, project_pk=project_pk, pk=pk, partial=True)

    def destroy(self, request, project_pk=None, pk=None):
        project = self._project(write=True)
        services.project_item_remove(actor=request.user, project=project, kind=self.kind,
                                     instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _viewset(spec: ContentKind) -> type[ProjectContentViewSet]:
    serializer = _serializer(spec)
    item = {"parameters": [PROJECT_PK, ITEM_PK]}
    decorate = extend_schema_view(
        list=extend_schema(parameters=[PROJECT_PK], summary=f"List the project's {spec.key}"),
        create=extend_schema(parameters=[PROJECT_PK], summary=f"Add to the project's {spec.key}"),
        retrieve=extend_schema(**item), update=extend_schema(**item),
        partial_update=extend_schema(**item), destroy=extend_schema(**item),
    )
    name = f"Project{spec.key.title()}ViewSet"
    return decorate(type(name, (ProjectContentViewSet,), {
        "kind": spec.key, "serializer_class": serializer,
        "queryset": spec.model.objects.order_by("id"),
        "__doc__": f"The project's {spec.key} (members of its organisation)."}))


CONTENT_VIEWSETS = {key: _viewset(spec) for key, spec in CONTENT_KINDS.items()}
