"""The indicator API (docs/domain.md "Indicator API"): list, summary, CSV, recompute jobs."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from indicators import selectors, services
from indicators.access import can_view_job, may_read_indicators
from indicators.api_serializers import (
    IndicatorJobSerializer,
    IndicatorPageSerializer,
    SummarySerializer,
)
from indicators.models import YEAR, IndicatorJob
from portal.api.base import ScopedAPIView
from portal.api.exports import ExportAPIView
from portal.api.pagination import StandardPagination
from portal.errors import DomainError
from portal.exports import CSV_MEDIA_TYPE, ExportSpec
from portal.models import County, Organisation, SizeClass, county_lookup


class CountyField(serializers.CharField):
    """A county by name in any case (`agder`) or by its number (`42`); unknown is a 400 naming
    the valid names, never a silently empty answer."""

    def to_internal_value(self, data):
        value = county_lookup(super().to_internal_value(data))
        if value is None:
            raise serializers.ValidationError(
                _("Ukjent fylke. Gyldige: %(valid)s (eller fylkesnummeret).")
                % {"valid": ", ".join(County.values)})
        return value


class SizeClassField(serializers.ChoiceField):
    """The size class in any case (`Small` is `small`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=SizeClass.values, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().lower() if isinstance(data, str) else data)


class PeriodQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    organisation = serializers.CharField(required=False, max_length=9)
    county = CountyField(required=False)
    size_class = SizeClassField(required=False)


class SummaryQuery(PeriodQuery):
    group_by = serializers.ChoiceField(choices=selectors.GROUPINGS)


FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"],
    description="`csv`: the same rows as a machine-readable CSV file (comma-separated, dot "
                "decimals, codes, UTF-8, one header row). Errors are JSON whatever the format.")
PERIOD_PARAMETERS = [
    OpenApiParameter("year", int, required=True),
    OpenApiParameter("quarter", int, description="1–4; omit for the whole year"),
    OpenApiParameter("organisation", str, description="organisation number"),
    OpenApiParameter("county", str, description="County name (any case) or county number; "
                                                "an unknown county is a 400."),
    OpenApiParameter("size_class", str, enum=SizeClass.values),
    FORMAT,
]
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="1-based page number (404 past the end)."),
    OpenApiParameter("page_size", int, description=(
        f"Items per page, default {StandardPagination.page_size}, "
        f"at most {StandardPagination.max_page_size}.")),
]
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="CSV file (`?format=csv`).")


def _refuse_non_readers(request) -> None:
    """The indicator pages' rule (indicators.selectors.visible_organisations): who reads no
    organisation's indicators there (employees, project leaders) gets 403 here too."""
    if not may_read_indicators(request.user):
        raise PermissionDenied("Du har ikke tilgang til indikatorene.")


class IndicatorListView(ExportAPIView):
    """The indicators of every organisation you may see for a period, sorted by organisation
    number; zeros and `computed: false` where nothing is computed for the period yet."""

    scoped_by = (selectors.indicator_organisations,)

    @extend_schema(parameters=[*PERIOD_PARAMETERS, *PAGE_PARAMETERS],
                   operation_id="v1_indicators_list",
                   responses={(200, "application/json"): IndicatorPageSerializer,
                              (200, CSV_MEDIA_TYPE): CSV_RESPONSE})
    def get(self, request):
        _refuse_non_readers(request)
        query = PeriodQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        year, quarter = params["year"], params.get("quarter", YEAR)
        organisations = selectors.indicator_organisations(
            user=request.user, year=year, quarter=quarter, organisation=params.get("organisation"),
            county=params.get("county"), size_class=params.get("size_class"))
        if self.wants_csv():
            items = selectors.indicator_items(organisations, year=year, quarter=quarter)
            return self.csv_response(selectors.CSV_COLUMNS,
                                     (selectors.item_to_csv_row(i) for i in items),
                                     f"indikatorer-{year}.csv")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(organisations, request, view=self)
        return paginator.get_paginated_response(
            selectors.indicator_items(page, year=year, quarter=quarter))


class IndicatorSummaryView(ExportAPIView):
    """Sums of the organisation snapshots by county, size class, network or nationally."""

    export_spec = ExportSpec(formats=("json", "csv"), choices={"group_by": selectors.GROUPINGS})
    scoped_by = (selectors.summary,)

    @extend_schema(parameters=[*PERIOD_PARAMETERS[:2], *PERIOD_PARAMETERS[3:],
                               OpenApiParameter("group_by", str, required=True,
                                                enum=list(selectors.GROUPINGS))],
                   operation_id="v1_indicators_summary",
                   responses={(200, "application/json"): SummarySerializer,
                              (200, CSV_MEDIA_TYPE): CSV_RESPONSE})
    def get(self, request):
        _refuse_non_readers(request)
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        groups = selectors.summary(user=request.user, year=params["year"],
                                   quarter=params.get("quarter", YEAR),
                                   group_by=params["group_by"], county=params.get("county"),
                                   size_class=params.get("size_class"))
        if self.wants_csv():
            numbers = slice(9, selectors.CSV_COLUMNS.index("realised_nok_per_year") + 1)
            # New columns at the end (code, computed_organisations): readers by position
            # keep working.
            header = ["group", "organisations", *selectors.CSV_COLUMNS[4:6],
                      *selectors.CSV_COLUMNS[numbers], "code", "computed_organisations"]
            rows = []
            for group in groups:
                flat = selectors.item_to_csv_row({
                    **group, "organisation": {"org_number": "", "name": "", "size_class": "",
                                              "county": ""},
                    "scheme": "", "status": "", "computed_at": ""})
                rows.append([group["group"], group["organisations"], *flat[4:6],
                             *flat[numbers], group["code"] or "",
                             group["computed_organisations"]])
            return self.csv_response(header, rows, f"indikatorer-sum-{params['group_by']}.csv")
        return Response({"count": len(groups), "results": groups})


def job_data(job: IndicatorJob) -> dict:
    return {
        "id": str(job.pk), "year": job.year, "quarter": job.quarter or None,
        "organisation": job.organisation.org_number if job.organisation_id else None,
        "state": job.state, "progress": job.progress, "message": job.message,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class JobCreateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    organisation = serializers.CharField(required=False, max_length=9,
                                         help_text="organisation number; omit for all")


class IndicatorJobCreateView(ScopedAPIView):
    # The service checks the actor's right to the organisation (or to all of them).
    scoped_by = (services.indicator_job_create,)

    @extend_schema(request=JobCreateInput, responses={202: IndicatorJobSerializer})
    def post(self, request):
        data = JobCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        organisation = None
        if params.get("organisation"):
            organisation = Organisation.objects.filter(
                org_number=params["organisation"]).first()
            if organisation is None:
                raise DomainError("Ukjent organisasjonsnummer.", field="organisation")
        job = services.indicator_job_create(actor=request.user, year=params["year"],
                                            quarter=params.get("quarter", YEAR),
                                            organisation=organisation)
        job.refresh_from_db()
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class IndicatorJobDetailView(ScopedAPIView):
    scoped_by = (can_view_job,)

    @extend_schema(responses=IndicatorJobSerializer)
    def get(self, request, pk):
        job = get_object_or_404(IndicatorJob.objects.select_related("organisation"), pk=pk)
        if not can_view_job(request.user, job):
            return Response({"detail": "Ikke funnet.", "code": "not_found", "errors": {}},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(job_data(job))
