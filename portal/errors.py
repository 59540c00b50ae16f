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
