"""CSV from the API (`?format=csv`) through the export toolkit (portal.exports).

`ExportAPIView` is the base of every API view that can answer as a file: its `?format=` is
read by portal.exports.parse_format (an unknown value is the API's 400, not DRF's 404), the
names in its `export_spec` are checked like the pages' downloads, the file is written by the
toolkit's neutralising CSV writer, and an error is always JSON — never text/csv."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from portal.api.base import ScopedAPIView
from portal.exports import CSV_MEDIA_TYPE, ExportSpec, csv_text, parse_export, parse_format


class CsvRenderer(renderers.BaseRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (bytes, str)):
            return data
        # Never reached for errors (ExportAPIView answers them as JSON); a view that returns
        # data instead of a file still gets JSON rather than a broken CSV.
        return renderers.JSONRenderer().render(data)


class ExportNegotiation(DefaultContentNegotiation):
    """`?format=` read by the export toolkit's parser: an unknown format is a 400 naming the
    valid ones (DRF's own negotiation answers 404)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        value = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if value:
            parse_format(value, [renderer.format for renderer in renderers])
        return super().select_renderer(request, renderers, format_suffix)


class ExportAPIView(ScopedAPIView):
    """An API view that answers JSON or, with `?format=csv`, a CSV file."""

    abstract = True

    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    content_negotiation_class = ExportNegotiation
    export_spec = ExportSpec(formats=("json", "csv"))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.export = parse_export(request.query_params, self.export_spec)

    def wants_csv(self) -> bool:
        return self.request.accepted_renderer.format == "csv"

    def csv_response(self, header: Sequence[str], rows: Iterable[Sequence],
                     filename: str) -> Response:
        response = Response(csv_text(header, rows).encode("utf-8"))
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

