"""The home page and "Mine data": pages that read across every app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from overview.home import home_todos
from overview.personal_data import personal_data_document, personal_data_sections
from portal.context_processors import user_context


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request.user)
    roles = {m.role for m in ctx["memberships"]}
    capabilities = {c.value for c in ctx["capabilities"]}
    return render(request, "overview/home.html", {
        "roles": roles,
        "capabilities": capabilities,
        "todos": home_todos(request.user, capabilities),
        "is_analyst": ctx["is_analyst"],
        "networks": request.user.analysed_networks.all(),
    })


# --- personal data ("Mine data") -----------------------------------------------------------

@login_required
@never_cache
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the system holds about the signed-in user, and only that (GDPR art. 15)."""
    return render(request, "overview/my_data.html",
                  {"sections": personal_data_sections(request.user)})


@login_required
@never_cache
@require_safe
def my_data_export(request: HttpRequest) -> JsonResponse:
    """The same as a JSON file to take elsewhere (GDPR art. 20)."""
    response = JsonResponse(personal_data_document(request.user),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="innoportal-mine-data.json"'
    return response
