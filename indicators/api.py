"""The indicator API (docs/domain.md "Indicator API"): list, summary, CSV, recompute jobs."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from indicators import selectors, services
from indicators.access import can_view_job, may_read_indicators
from indicators.models import YEAR, IndicatorJob
from portal.api.base import ScopedAPIView
from portal.api.exports import ExportAPIView
from portal.api.pagination import StandardPagination
from portal.errors import DomainError
from portal.exports import ExportSpec
from portal.models import Organisation, SizeClass


class PeriodQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    organisation = serializers.CharField(required=False, max_length=9)
    county = serializers.CharField(required=False, max_length=40)
    size_class = serializers.ChoiceField(choices=SizeClass.values, required=False)


class SummaryQuery(PeriodQuery):
    group_by = serializers.ChoiceField(choices=selectors.GROUPINGS)


PERIOD_PARAMETERS = [
    OpenApiParameter("year", int, required=True),
    OpenApiParameter("quarter", int, description="1–4; omit for the whole year"),
    OpenApiParameter("organisation", str, description="organisation number"),
    OpenApiParameter("county", str),
    OpenApiParameter("size_class", str, enum=SizeClass.values),
    OpenApiParameter("format", str, enum=["json", "csv"]),
]


def _refuse_non_readers(request) -> None:
    """The indicator pages' rule (indicators.selectors.visible_organisations): who reads no
    organisation's indicators there (employees, project leaders) gets 403 here too."""
    if not may_read_indicators(request.user):
        raise PermissionDenied("Du har ikke tilgang til indikatorene.")


class IndicatorListView(ExportAPIView):
    """Indicator snapshots per organisation for a period, sorted by organisation number."""

    scoped_by = (selectors.snapshot_list,)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        _refuse_non_readers(request)
        query = PeriodQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        snapshots = selectors.snapshot_list(
            user=request.user, year=params["year"], quarter=params.get("quarter", YEAR),
            organisation=params.get("organisation"), county=params.get("county"),
            size_class=params.get("size_class"))
        if self.wants_csv():
            rows = (selectors.item_to_csv_row(selectors.snapshot_item(s)) for s in snapshots)
            return self.csv_response(selectors.CSV_COLUMNS, rows,
                                     f"indikatorer-{params['year']}.csv")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(snapshots, request, view=self)
        return paginator.get_paginated_response([selectors.snapshot_item(s) for s in page])


class IndicatorSummaryView(ExportAPIView):
    """Sums of the organisation snapshots by county, size class, network or nationally."""

    export_spec = ExportSpec(formats=("json", "csv"), choices={"group_by": selectors.GROUPINGS})
    scoped_by = (selectors.summary,)

    @extend_schema(parameters=[*PERIOD_PARAMETERS[:2],
                               OpenApiParameter("group_by", str, required=True,
                                                enum=list(selectors.GROUPINGS)),
                               PERIOD_PARAMETERS[-1]],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        _refuse_non_readers(request)
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        groups = selectors.summary(user=request.user, year=params["year"],
                                   quarter=params.get("quarter", YEAR),
                                   group_by=params["group_by"])
        if self.wants_csv():
            header = ["group", "organisations", *selectors.CSV_COLUMNS[4:6],
                      *selectors.CSV_COLUMNS[9:]]
            rows = []
            for group in groups:
                flat = selectors.item_to_csv_row({
                    **group, "organisation": {"org_number": "", "name": "", "size_class": "",
                                              "county": ""},
                    "scheme": "", "status": "", "computed_at": ""})
                rows.append([group["group"], group["organisations"], *flat[4:6], *flat[9:]])
            return self.csv_response(header, rows, f"indikatorer-sum-{params['group_by']}.csv")
        return Response({"count": len(groups), "results": groups})


JobSerializer = inline_serializer("IndicatorJob", {
    "id": serializers.UUIDField(), "year": serializers.IntegerField(),
    "quarter": serializers.IntegerField(allow_null=True),
    "organisation": serializers.CharField(allow_null=True), "state": serializers.CharField(),
    "progress": serializers.IntegerField(), "message": serializers.CharField(),
    "created_at": serializers.DateTimeField(),
    "started_at": serializers.DateTimeField(allow_null=True),
    "finished_at": serializers.DateTimeField(allow_null=True)})


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

    @extend_schema(request=JobCreateInput, responses={202: JobSerializer})
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

    @extend_schema(responses=JobSerializer)
    def get(self, request, pk):
        job = get_object_or_404(IndicatorJob.objects.select_related("organisation"), pk=pk)
        if not can_view_job(request.user, job):
            return Response({"detail": "Ikke funnet.", "code": "not_found", "errors": {}},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(job_data(job))
