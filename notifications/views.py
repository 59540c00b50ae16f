from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from notifications import selectors, services
from notifications.forms import PreferenceForm
from notifications.models import EmailFrequency
from notifications.tokens import user_for_token
from portal.params import id_or_none

PAGE_SIZE = 25


@login_required
@require_safe
def centre(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for_display(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/centre.html", {
        "page": page, "notices": [selectors.describe(n) for n in page.object_list],
        "frequency": EmailFrequency(selectors.email_frequency(request.user)).label,
    })


def _back(request: HttpRequest) -> HttpResponse:
    page = id_or_none(request.POST.get("page"))
    url = redirect("notifications:centre").url
    return redirect(f"{url}?page={page}" if page else url)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the user's own notices: another user's id marks nothing.
    services.notifications_mark_read(user=request.user, ids=[pk])
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("Alle varsler er merket som lest."))
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_set(user=request.user,
                                    frequency=form.cleaned_data["email_frequency"])
            messages.success(request, _("Valget ditt er lagret."))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(initial={
            "email_frequency": selectors.email_frequency(request.user)})
    return render(request, "notifications/preferences.html", {
        "form": form, "has_email": bool(request.user.email)})


# The link in the mail works without login: the signed token is the credential, so there is
# no session to forge a request against (CSRF), and mail clients' one-click unsubscribe
# (RFC 8058) POSTs without cookies. GET only shows the question: link scanners prefetch it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.unsubscribe(user=user)
        return render(request, "notifications/unsubscribe.html", {"done": True})
    return render(request, "notifications/unsubscribe.html", {
        "done": False,
        "already": selectors.email_frequency(user) == EmailFrequency.NEVER})
