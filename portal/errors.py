"""The domain error type. Services raise these; views turn them into form errors and the API's
exception handler into JSON (400, or 409 for conflicts)."""

from collections.abc import Mapping


class DomainError(Exception):
    """A rule of the domain refused the change. Nothing was written."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None,
                 field: str | None = None, errors: Mapping[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field
        self.errors = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = [self.message]


class ConflictError(DomainError):
    """Somebody else changed the same thing first (state moved on, version mismatch)."""

    status_code = 409
    default_code = "conflict"


class Forbidden(DomainError):
    """The actor lacks the right for this change (API: 403)."""

    status_code = 403
    default_code = "permission_denied"


# --- infrastructure failures -------------------------------------------------------------------

RETRY_AFTER_SECONDS = 5


def is_api_request(request) -> bool:
    """Under /api/ every answer, errors included, is the API's JSON shape."""
    return request.path.startswith("/api/")


def server_error_response(request):
    """The 500 answer for an unexpected exception (handler500): the API's one error shape
    under /api/, the plain error page elsewhere — rendered without the request context, so it
    cannot fail the same way again."""
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    if is_api_request(request):
        return JsonResponse({"detail": _("Det oppstod en feil hos oss. Feilen er logget."),
                             "code": "server_error", "errors": {}}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


def is_database_unavailable(error: BaseException | None) -> bool:
    """OperationalError/InterfaceError: the connection failed or was lost (not a bad query)."""
    from django.db import InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError))


def database_unavailable_response(request, error: BaseException):
    """The 503 answer while the database is away. Rendered without the request context: the
    context processors (navigation, the user's memberships) would query the database again."""
    import logging

    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    logging.getLogger("portal.errors").warning(
        "Database unavailable for %s %s: %s", request.method, request.path,
        f"{type(error).__name__}: {error}".strip())
    if is_api_request(request):
        response = JsonResponse({"detail": _("Tjenesten er midlertidig utilgjengelig. Prøv igjen "
                                             "om litt."),
                                 "code": "service_unavailable", "errors": {}}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
