"""POST /api/v1/portfolio/import/ and GET /api/v1/portfolio/export/."""

import io

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, status
from rest_framework.response import Response

from exchange.exporter import export_portfolio
from exchange.importer import import_portfolio
from portal.access import get_organisation_for_user
from portal.api.base import ScopedAPIView
from portal.errors import DomainError, Forbidden
from portal.models import Organisation
from portal.roles import Capability


class PortfolioImportView(ScopedAPIView):
    """Import an innoportal-portfolio/1 document: a multipart `file`, or the JSON as the body.
    All or nothing; errors name the JSON path."""

    # The importer refuses organisations the actor does not administer (operators: all).
    scoped_by = (import_portfolio,)

    parser_classes = [parsers.MultiPartParser, parsers.FileUploadParser]

    def get_parsers(self):
        if self.request is not None and self.request.content_type.startswith("application/json"):
            return []  # read the raw body ourselves: streamed, never parsed into memory twice
        return super().get_parsers()

    @extend_schema(request={"application/json": OpenApiTypes.OBJECT,
                            "multipart/form-data": {"type": "object", "properties": {
                                "file": {"type": "string", "format": "binary"}}}},
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        if request.content_type.startswith("application/json"):
            source = io.BytesIO(request.body)
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError("Last opp en fil i feltet «file».", field="file")
            source = upload.file
        result = import_portfolio(source, actor=request.user)
        return Response({"detail": result.summary(), **{
            k: v for k, v in vars(result).items() if k != "organisation_ids"}},
            status=status.HTTP_201_CREATED)


class PortfolioExportView(ScopedAPIView):
    scoped_by = (get_organisation_for_user,)

    @extend_schema(parameters=[OpenApiParameter("organisation", str, description="org number")],
                   responses={200: OpenApiTypes.OBJECT})
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
