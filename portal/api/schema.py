"""The error responses every API operation may give, added to the generated OpenAPI schema.

drf-spectacular documents the success responses it can infer from the views; the errors come
from one exception handler (portal.api.conventions) and are the same shape everywhere. Without
them in the schema a client (and Schemathesis, tests/portal/test_api_schema_fuzz.py) cannot tell
a documented refusal from an accident."""

from __future__ import annotations

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
