from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import PasswordResetView as DjangoPasswordResetView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import login_throttle, selectors, services
from portal.access import get_organisation_for_user, organisations_where
from portal.errors import DomainError
from portal.forms import (
    ApiTokenForm,
    LoginForm,
    MemberAddForm,
    MemberRoleForm,
    QueuedPasswordResetForm,
    UnitForm,
)
from portal.languages import chosen_language, set_language_cookie
from portal.models import ApiToken, Membership, Unit
from portal.roles import Capability
from portal.version import app_version


def form_error(form, error: DomainError) -> None:
    """Put a domain error on the form: on its field if the form has it, else on the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


class LoginView(DjangoLoginView):
    """Django's login with the failure throttle; a refused attempt answers 429 with
    Retry-After. A person who has chosen a language gets it at once (portal.languages)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person's own language from now on, and in the cookie too, so the pages after
        # a logout (the login page) stay in it.
        language = chosen_language(form.get_user())
        if language:
            translation.activate(language)
            set_language_cookie(response, language)
        return response

    def get_context_data(self, **kwargs):
        from portal.sso.views import login_choices

        context = super().get_context_data(**kwargs)
        context["sso_choices"] = login_choices(self.request, context.get("next", ""))
        return context

    def form_invalid(self, form):
        return login_throttle.mark_response(self.request, super().form_invalid(form))


class PasswordResetView(DjangoPasswordResetView):
    """Django's reset page with a form that leaves the lookup and the mail to the worker."""

    form_class = QueuedPasswordResetForm


# --- organisation administration ------------------------------------------------------------

@login_required
def org_admin_index(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_where(request.user, Capability.MANAGE_ORGANISATION))
    if len(organisations) == 1:
        return redirect("org-members", org_number=organisations[0].org_number)
    if not organisations:
        return render(request, "portal/org_admin_none.html", status=403)
    return render(request, "portal/org_admin_index.html", {"organisations": organisations})


@login_required
def org_members(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    form = MemberAddForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(actor=request.user, organisation=organisation,
                                             request=request, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(name)s er lagt til som %(role)s.") % {
                "name": membership.user, "role": membership.get_role_display()})
            return redirect("org-members", org_number=org_number)
    members = selectors.member_list(organisation)
    role_forms = [(m, MemberRoleForm(initial={"role": m.role, "unit": m.unit_id},
                                     organisation=organisation, prefix=f"m{m.pk}"))
                  for m in members]
    return render(request, "portal/org_members.html", {
        "organisation": organisation, "form": form, "role_forms": role_forms,
        "events": selectors.organisation_events(organisation),
    }, status=400 if form.errors else 200)


def _membership(request, org_number: str, pk: int) -> Membership:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    return get_object_or_404(Membership.objects.select_related("user", "organisation"),
                             pk=pk, organisation=organisation)


@login_required
@require_POST
def org_member_role(request: HttpRequest, org_number: str, pk: int) -> HttpResponse:
    membership = _membership(request, org_number, pk)
    form = MemberRoleForm(request.POST, organisation=membership.organisation, prefix=f"m{pk}")
    if form.is_valid():
        try:
            services.member_change_role(actor=request.user, membership=membership,
                                        role=form.cleaned_data["role"],
                                        unit=form.cleaned_data["unit"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Rollen til %(name)s er oppdatert.")
                             % {"name": membership.user})
    else:
        messages.error(request, _("Ugyldig rolle eller enhet."))
    return redirect("org-members", org_number=org_number)


@login_required
@require_POST
def org_member_remove(request: HttpRequest, org_number: str, pk: int) -> HttpResponse:
    membership = _membership(request, org_number, pk)
    try:
        services.member_remove(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s er fjernet.") % {"name": membership.user})
    return redirect("org-members", org_number=org_number)


@login_required
def org_units(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    form = UnitForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, organisation=organisation,
                                        **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Enheten «%(name)s» er opprettet.") % {"name": unit.name})
            return redirect("org-units", org_number=org_number)
    return render(request, "portal/org_units.html", {
        "organisation": organisation, "form": form, "tree": selectors.unit_tree(organisation),
    }, status=400 if form.errors else 200)


@login_required
def org_unit_edit(request: HttpRequest, org_number: str, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    unit = get_object_or_404(Unit, pk=pk, organisation=organisation)
    form = UnitForm(request.POST or None, organisation=organisation, exclude=unit,
                    initial={"name": unit.name, "parent": unit.parent_id})
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.unit_delete(actor=request.user, unit=unit)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("org-unit-edit", org_number=org_number, pk=pk)
            messages.success(request, _("Enheten er slettet."))
            return redirect("org-units", org_number=org_number)
        if form.is_valid():
            try:
                services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Enheten er oppdatert."))
                return redirect("org-units", org_number=org_number)
    return render(request, "portal/org_unit_edit.html", {
        "organisation": organisation, "unit": unit, "form": form,
    }, status=400 if form.errors else 200)


# --- personal API tokens --------------------------------------------------------------------

@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(user=request.user,
                                                        name=form.cleaned_data["name"])
        except DomainError as error:
            form_error(form, error)
        else:
            form = ApiTokenForm()
    return render(request, "portal/api_tokens.html", {
        "form": form, "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user),
    })


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Nøkkelen «%(name)s» er trukket tilbake.") % {"name": token.name})
    return redirect("api-tokens")


# --- errors ---------------------------------------------------------------------------------

def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """No route: the API answers in its JSON error shape, the site with its page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Ikke funnet."), "code": "not_found", "errors": {}},
                            status=404)
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page opened long ago (or in another tab after a
    new login) is refused with the site's 403 page and what to do, not Django's bare page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("CSRF-kontrollen feilet."), "code": "csrf_failed",
                             "errors": {}}, status=403)
    return render(request, "403.html", {"reason": _(
        "Skjemaet ble sendt fra en side som er for gammel. Gå tilbake, last inn siden på nytt "
        "og send igjen.")}, status=403)


def bad_request_error(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a suspicious
    request): the API answers in its JSON error shape, the site with its page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Ugyldig forespørsel."), "code": "bad_request",
                             "errors": {}}, status=400)
    return defaults.bad_request(request, exception)


# --- health -------------------------------------------------------------------------------

@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    from django.conf import settings

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1,
                                 socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured"
    # Without Redis the site still serves pages (queued work waits), so only a dead database
    # makes the instance unhealthy.
    if checks["database"] != "ok":
        state = "down"
    elif checks["redis"].startswith("error"):
        state = "degraded"
    else:
        state = "ok"
    return JsonResponse({"status": state, "version": app_version(), "checks": checks},
                        status=503 if state == "down" else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database being away is a 503 (see DatabaseUnavailableMiddleware) also
    when it fails outside the view; everything else is a 500 — JSON in the API's error shape
    under /api/, the plain error page elsewhere (portal.errors.server_error_response)."""
    import sys

    from portal.errors import (
        database_unavailable_response,
        is_database_unavailable,
        server_error_response,
    )

    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return database_unavailable_response(request, error)
    return server_error_response(request)
