"""POST /api/v1/portfolio/import/ and GET /api/v1/portfolio/export/."""

import io

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.api_serializers import (
    IMPORT_COUNTS,
    PortfolioDocumentSerializer,
    PortfolioImportResultSerializer,
)
from exchange.exporter import export_portfolio
from exchange.importer import import_portfolio
from portal.access import get_organisation_for_user
from portal.errors import DomainError, Forbidden
from portal.models import Organisation
from portal.roles import Capability


class RawJSONBody(parsers.BaseParser):
    """`application/json` handed to the importer as the bytes it streams from, never parsed
    into Python objects here (the importer reads it once, with its paths for errors). A parser
    rather than reading `request.body`: with session authentication DRF reads the body for the
    CSRF check, and without a parser for JSON that answered 415 (issue 15)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class PortfolioImportView(APIView):
    """Import an innoportal-portfolio/1 document: a multipart `file`, or the JSON as the body.
    All or nothing; errors name the JSON path."""

    parser_classes = [RawJSONBody, parsers.MultiPartParser]

    @extend_schema(request={"application/json": PortfolioDocumentSerializer,
                            "multipart/form-data": {"type": "object", "properties": {
                                "file": {"type": "string", "format": "binary"}},
                                "required": ["file"]}},
                   responses={201: PortfolioImportResultSerializer})
    def post(self, request):
        if request.content_type.startswith("application/json"):
            body = request.data if isinstance(request.data, bytes) else b""
            source = io.BytesIO(body)
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError("Last opp en fil i feltet «file».", field="file")
            source = upload.file
        result = import_portfolio(source, actor=request.user)
        return Response({"detail": result.summary(),
                         **{name: getattr(result, name) for name in IMPORT_COUNTS}},
                        status=status.HTTP_201_CREATED)


class PortfolioExportView(APIView):
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
