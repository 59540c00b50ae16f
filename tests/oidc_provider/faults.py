"""Faults the test provider can be told to make, at run time, through POST /test-control/:
`tamper-signature` flips one character in the middle of the signature of every ID token the
token endpoint hands out, as an attacker between the portal and the provider would. The
portal must refuse the login."""

import json
import threading

from django.http import HttpResponse, JsonResponse

_state = {"mode": "normal"}
_lock = threading.Lock()
MODES = ("normal", "tamper-signature")


def set_mode(mode: str) -> None:
    with _lock:
        _state["mode"] = mode


def mode() -> str:
    with _lock:
        return _state["mode"]


def flip_signature(id_token: str) -> str:
    """The same token with one character of its signature changed. The middle one: the last
    character of base64url may carry only padding bits, and changing those changes nothing."""
    header, payload, signature = id_token.split(".")
    middle = len(signature) // 2
    replacement = "A" if signature[middle] != "A" else "B"
    return ".".join([header, payload, signature[:middle] + replacement + signature[middle + 1:]])


class TamperMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (mode() == "tamper-signature" and request.path.rstrip("/").endswith("/token")
                and response.status_code == 200):
            body = json.loads(response.content)
            if "id_token" in body:
                body["id_token"] = flip_signature(body["id_token"])
                response.content = json.dumps(body).encode()
                response["Content-Length"] = str(len(response.content))
        return response


def control(request):
    """POST mode=<one of MODES>. Test-only: this project never runs outside the test suite."""
    if request.method != "POST":
        return HttpResponse(status=405)
    wanted = request.POST.get("mode", "")
    if wanted not in MODES:
        return JsonResponse({"error": f"unknown mode {wanted!r}"}, status=400)
    set_mode(wanted)
    return JsonResponse({"mode": wanted})
