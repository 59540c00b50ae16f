"""The error responses every API operation may give, added to the generated OpenAPI schema.

drf-spectacular documents the success responses it can infer from the views; the errors come
from one exception handler (portal.api.conventions) and are the same shape everywhere. Without
them in the schema a client (and Schemathesis, tests/portal/test_api_schema_fuzz.py) cannot tell
a documented refusal from an accident.

SchemaView serves the schema at /api/schema/, generated once per process and language, and
refuses a `lang` or `version` it does not serve (400 naming the parameter)."""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.response import Response

from portal.api.base import ScopedAPIView
from portal.errors import DomainError
from portal.languages import is_supported

ERROR_SCHEMA = {
    "type": "object",
    "description": "The API's one error shape.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "description": "field → messages"},
    },
    "required": ["detail", "code", "errors"],
}

ALWAYS = {
    "400": "Invalid input: a parameter, filter or body field (named in `errors`).",
    "401": "No or invalid credentials.",
    "403": "Signed in, but without the right for this.",
    "404": "No such object, or not visible to you (existence is not revealed); or a page "
           "number past the end.",
    "406": "The Accept header asks for a format the operation does not give.",
}
WRITES = {
    "409": "Somebody changed it first, or the state does not allow this any longer.",
    "415": "The body's content type is not one the operation reads.",
}


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: every operation gets the error responses it can give."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ERROR_SCHEMA)
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(ALWAYS)
            if method in ("post", "put", "patch", "delete"):
                codes.update(WRITES)
            for code, description in codes.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": reference})
    return result


class _Schema:
    """One generated schema and its renderings, by renderer class."""

    def __init__(self, data):
        self.data = data
        self.rendered: dict[type, bytes] = {}


# By language (and the view's generator): at most one entry per language of
# settings.LANGUAGES, so no request can grow it.
_schemas: dict[tuple, _Schema] = {}


@receiver(setting_changed)
def _forget_schemas(**kwargs):
    """A setting changed (tests): the schema may depend on it."""
    _schemas.clear()


class _RendersOnce:
    """A schema renderer that renders a cached schema once: the same data, renderer and media
    type (no parameters, such as a JSON indent) give the same bytes. The schema's lazy texts
    are made text when it is generated (drf-spectacular's normalize_result_object), so the
    language active while rendering does not matter."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        schema = getattr((renderer_context or {}).get("view"), "cached_schema", None)
        if schema is None or schema.data is not data or accepted_media_type != self.media_type:
            return super().render(data, accepted_media_type, renderer_context)
        rendered = schema.rendered.get(type(self))
        if rendered is None:
            rendered = schema.rendered[type(self)] = super().render(
                data, accepted_media_type, renderer_context)
        return rendered


class SchemaView(SpectacularAPIView, ScopedAPIView):
    """/api/schema/: drf-spectacular's view, with the schema generated once per process and
    language, and rendered once per format, instead of on every request (about 0.5 s of CPU
    each; the input sweep asks for it hundreds of times).

    Safe in production: the schema is made of the code, the settings and the database backend,
    fixed while a process runs; it is public (SERVE_PUBLIC: every endpoint, whoever asks), so
    the same for every user (tests/portal/test_api_schema_cache.py); what does vary, the
    language, is in the key.

    The two parameters drf-spectacular reads are checked first. `lang` must be a language of
    settings.LANGUAGES and `version` the API's one version (SPECTACULAR_SETTINGS["VERSION"];
    the API is not versioned). Anything else is a 400 naming the parameter: answered as
    drf-spectacular would, each new string cost a fresh generation (anonymous CPU on demand)
    and `?lang=de` served a partly German schema. Only a view configured with its own urlconf,
    patterns or settings is generated anew."""

    scoped_by = ("nobody's data: the schema is made of the code and the settings",)
    renderer_classes = [type(renderer.__name__, (_RendersOnce, renderer), {})
                        for renderer in SpectacularAPIView.renderer_classes]
    cached_schema: _Schema | None = None

    @extend_schema(**SCHEMA_KWARGS)  # as upstream: left out of the schema it serves
    def get(self, request, *args, **kwargs):
        errors = {}
        language = request.GET.get("lang")
        if language and not is_supported(language):
            errors["lang"] = [_("lang må være en av %(choices)s.") % {
                "choices": ", ".join(code for code, _name in settings.LANGUAGES)}]
        version = request.GET.get("version")
        if version is not None and version != spectacular_settings.VERSION:
            errors["version"] = [_("API-et har én versjon, %(version)s: utelat version, "
                                   "eller oppgi %(version)s.")
                                 % {"version": spectacular_settings.VERSION}]
        if errors:
            raise DomainError(_("Ugyldige parametere."), errors=errors)
        return super().get(request, *args, **kwargs)

    def _get_schema_response(self, request):
        language = translation.get_language()
        if (self.api_version is not None or not self.serve_public or self.urlconf is not None
                or self.patterns is not None or self.custom_settings is not None
                or not is_supported(language)):  # get() refuses others; the key stays bounded
            return super()._get_schema_response(request)
        key = (language, self.generator_class)
        schema = _schemas.get(key)
        if schema is None:
            schema = _schemas[key] = _Schema(super()._get_schema_response(request).data)
        self.cached_schema = schema
        return Response(data=schema.data, headers={
            "Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'})
