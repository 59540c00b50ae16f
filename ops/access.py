"""Who may read the operations endpoints (/metrics, /healthz/full): the monitoring system
with `Authorization: Bearer <METRICS_TOKEN>`, or a signed-in superuser (the zero-setup path
and a person looking). Nobody else: they expose queue sizes, versions and failures."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def operator_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, presented = header.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def refused() -> HttpResponse:
    """401 with the scheme to use; the body says no more than that."""
    response = HttpResponse("Authorization: Bearer <METRICS_TOKEN> required.\n",
                            status=401, content_type="text/plain; charset=utf-8")
    response["WWW-Authenticate"] = 'Bearer realm="innoportal-operations"'
    return response
