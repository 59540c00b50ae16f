"""The API's one JSON error shape (EXCEPTION_HANDLER). DRF reads this setting only while it
handles a request, so importing `rest_framework.views` here is safe; pagination and metadata,
which DRF imports while it builds its views, live in `portal.api.pagination`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError


def exception_handler(exc, context):
    """One error shape for the whole API:
    {"detail": "...", "code": "...", "errors": {"field": ["message", ...]}}"""
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF reads it.
        return Response({"detail": str(exc), "code": "too_large", "errors": {}}, status=413)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, "errors": exc.errors},
                        status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": "Ugyldige data.", "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(
            exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code, "errors": {}}
    return response
