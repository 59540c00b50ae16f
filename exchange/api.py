"""POST /api/v1/portfolio/import/, GET /api/v1/portfolio/import/jobs/<id>/ and
GET /api/v1/portfolio/export/."""

import io

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, status
from rest_framework.response import Response

from exchange import services
from exchange.api_serializers import (
    IMPORT_COUNTS,
    PortfolioDocumentSerializer,
    PortfolioImportJobSerializer,
    PortfolioImportResultSerializer,
)
from exchange.exporter import export_portfolio
from exchange.importer import ImportResult, import_portfolio
from portal.access import get_organisation_for_user
from portal.api.base import ScopedAPIView
from portal.errors import DomainError, Forbidden
from portal.models import Organisation
from portal.roles import Capability


class CanImportPortfolio(permissions.BasePermission):
    message = "Du kan ikke importere porteføljer."

    def has_permission(self, request, view) -> bool:
        return services.can_import(request.user)


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def import_answer(result: ImportResult) -> dict:
    """The import's answer (PortfolioImportResultSerializer): its counts and warnings."""
    return {"detail": result.summary(), **{name: getattr(result, name) for name in IMPORT_COUNTS},
            "warnings": result.warnings}


def job_answer(job) -> dict:
    """A background import (PortfolioImportJobSerializer); `result` once it succeeded."""
    result = None
    if job.result:
        result = import_answer(ImportResult(
            **{name: job.result.get(name, 0) for name in IMPORT_COUNTS},
            warnings=job.result.get("warnings", [])))
    return {"id": str(job.pk), "state": job.state,
            "progress": services.import_job_progress(job), "message": job.message,
            "result": result, "errors": job.errors,
            "url": reverse("api-portfolio-import-job", args=[job.pk])}




class RawJSONBody(parsers.BaseParser):
    """`application/json` handed to the importer as a spooled file it streams from, never
    parsed into Python objects here (the importer reads it with its bounds and its paths for
    errors), refused as soon as it passes PORTFOLIO_IMPORT_MAX_BYTES. A parser rather than
    reading the body in the view: with session authentication DRF reads the body for the CSRF
    check, and without a parser for JSON that answered 415 (issue 15)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return io.BytesIO(b"")
        request = (parser_context or {}).get("request")
        declared = _declared_length(request) if request is not None else None
        return services.spool(stream.read, declared=declared)


class PortfolioImportView(ScopedAPIView):
    """Import an innoportal-portfolio/1 document: a multipart `file`, or the JSON as the body.
    All or nothing; errors name the JSON path. A file larger than
    PORTFOLIO_IMPORT_SYNC_MAX_BYTES is imported in the background: the answer is 202 with the
    job to follow."""

    permission_classes = [permissions.IsAuthenticated, CanImportPortfolio]
    # The importer refuses organisations the actor does not administer (operators: all).
    scoped_by = (import_portfolio,)

    parser_classes = [RawJSONBody, parsers.MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: its CSRF check reads a multipart body (request.POST).
        services.bound_uploads(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(request={"application/json": PortfolioDocumentSerializer,
                            "multipart/form-data": {"type": "object", "properties": {
                                "file": {"type": "string", "format": "binary"}},
                                "required": ["file"]}},
                   responses={201: PortfolioImportResultSerializer,
                              202: PortfolioImportJobSerializer,
                              413: OpenApiResponse(description=(
                                  "The file is larger than PORTFOLIO_IMPORT_MAX_BYTES."))})
    def post(self, request):
        # The permission classes ran in initial(), before this reads the body.
        if request.content_type.startswith("application/json"):
            source = request.data if hasattr(request.data, "read") else io.BytesIO(b"")
            name = "portfolio.json"
        else:
            upload = request.FILES.get("file")
            if services.upload_too_large(request._request):
                services.check_size(settings.PORTFOLIO_IMPORT_MAX_BYTES + 1)
            if upload is None:
                raise DomainError("Last opp en fil i feltet «file».", field="file")
            source, name = upload.file, upload.name
        source.seek(0, 2)
        size = source.tell()
        source.seek(0)
        if size > settings.PORTFOLIO_IMPORT_SYNC_MAX_BYTES:
            job = services.import_job_create(actor=request.user, source=source, name=name,
                                             size=size)
            return Response(job_answer(job), status=status.HTTP_202_ACCEPTED)
        result = import_portfolio(source, actor=request.user)
        return Response(import_answer(result),
                        status=status.HTTP_201_CREATED)


class PortfolioImportJobView(ScopedAPIView):
    scoped_by = (services.get_import_job_for_user,)

    @extend_schema(responses={200: PortfolioImportJobSerializer})
    def get(self, request, pk):
        return Response(job_answer(services.get_import_job_for_user(request.user, pk)))


class PortfolioExportView(ScopedAPIView):
    scoped_by = (get_organisation_for_user,)

    @extend_schema(parameters=[OpenApiParameter("organisation", str, description="org number")],
                   responses={200: PortfolioDocumentSerializer})
    def get(self, request):
        number = request.query_params.get("organisation")
        if number:
            org = get_organisation_for_user(request.user, number,
                                            capability=Capability.MANAGE_ORGANISATION)
            organisations = Organisation.objects.filter(pk=org.pk)
        elif request.user.is_superuser:
            organisations = None
        else:
            raise Forbidden("Velg organisasjon (?organisation=…); hele landet er for drift.")
        response = StreamingHttpResponse(export_portfolio(organisations=organisations),
                                         content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="portefolje.json"'
        return response
