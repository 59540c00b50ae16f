import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.decorators import action

from portal.access import get_organisation_for_user, organisations_where
from portal.api.base import ScopedAPIView, ScopedReadOnlyViewSet
from portal.api.filters import ScopedFilterSet
from portal.api.serializers import (
    MemberSerializer,
    MeSerializer,
    OrganisationSerializer,
    UnitSerializer,
)
from portal.models import Membership, Organisation, Unit, User


class OrganisationFilter(ScopedFilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "county"]


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """The organisations the user is a member of. Look up by organisation number."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "org_number"
    lookup_value_regex = "[0-9]{9}"

    def scope_queryset(self, queryset, user):
        return queryset.filter(pk__in=organisations_where(user).values("pk"))

    @extend_schema(responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, org_number=None):
        organisation = get_organisation_for_user(request.user, org_number)
        members = (Membership.objects.filter(organisation=organisation)
                   .select_related("user").order_by("user__last_name", "user__first_name"))
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)


class UnitFilter(ScopedFilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__org_number")

    class Meta:
        model = Unit
        fields = ["organisation", "parent"]


class UnitViewSet(ScopedReadOnlyViewSet):
    queryset = Unit.objects.select_related("organisation").order_by("organisation__name", "name")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def scope_queryset(self, queryset, user):
        return queryset.filter(organisation__in=organisations_where(user))


class MeView(ScopedAPIView, generics.RetrieveAPIView):
    """The current user, with memberships and roles."""

    scoped_by = ("the requesting user only",)

    serializer_class = MeSerializer

    def get_object(self):
        # Not type(request.user): with session authentication that is Django's lazy wrapper.
        user_memberships = Membership.objects.select_related("organisation")
        return (User.objects
                .prefetch_related(Prefetch("memberships", queryset=user_memberships),
                                  "analysed_networks")
                .get(pk=self.request.user.pk))
