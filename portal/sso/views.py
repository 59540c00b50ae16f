"""Pages of single sign-on: the provider chooser, logout, and the organisation
administrator's login settings. The flow itself is in portal.sso.oidc."""

from __future__ import annotations

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.access import get_organisation_for_user
from portal.errors import DomainError
from portal.roles import Capability
from portal.sso import services
from portal.sso.config import providers_offered
from portal.sso.forms import PasswordLoginForm
from portal.sso.oidc import provider_logout_url
from portal.sso.selectors import organisation_providers


def login_url_for(slug: str, next_url: str = "") -> str:
    url = reverse("sso-login", args=[slug])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def login_choices(request: HttpRequest, next_url: str) -> list[dict]:
    """The providers offered on the login page, each with its start link. Links rather than a
    form: the page's CSP (form-action 'self') would block a form whose answer redirects to
    the provider."""
    if next_url and not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    return [{"slug": p.slug, "label": label, "url": login_url_for(p.slug, next_url)}
            for p, label in providers_offered()]


@require_safe
def sso_start(request: HttpRequest) -> HttpResponse:
    """/accounts/sso/?provider=<slug>: start the login at that provider (the chooser's links
    point at the provider directly; this is the stable address to bookmark or link to)."""
    slug = request.GET.get("provider", "")
    offered = {p.slug for p, _label in providers_offered()}
    if slug not in offered:
        return render(request, "registration/sso_error.html", {
            "message": _("Velg organisasjonen din på innloggingssiden for å logge inn med "
                         "kommunens konto.")}, status=400)
    return redirect(login_url_for(slug, request.GET.get("next", "")))


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the local session; for a login through a provider with an end_session_endpoint,
    then end the session there too (RP-initiated logout), coming back to the login page.

    The provider is reached from a page of its own, not by redirecting the logout form's
    POST: the site's CSP allows forms to submit only to itself (form-action 'self'), which
    browsers also apply to redirects that follow a submission."""
    provider_url = provider_logout_url(request) if request.user.is_authenticated else None
    auth.logout(request)
    if provider_url:
        return render(request, "registration/sso_logout.html", {"provider_url": provider_url})
    return redirect("login")


@login_required
@never_cache
def org_login_settings(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    # Bound on every POST, even an empty one: an unchecked box sends nothing at all.
    form = PasswordLoginForm(request.POST if request.method == "POST" else None,
                             initial={"password_login_allowed":
                                      organisation.password_login_allowed})
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_set_password_login(
                actor=request.user, organisation=organisation,
                allowed=form.cleaned_data["password_login_allowed"])
        except DomainError as error:
            form.add_error("password_login_allowed" if error.field else None, error.message)
        else:
            messages.success(request, _("Innloggingsinnstillingene er lagret."))
            return redirect("org-login", org_number=org_number)
    providers = [{"provider": p, "usable": bool(p.client_secret()),
                  "callback": request.build_absolute_uri(reverse("sso-callback", args=[p.slug]))}
                 for p in organisation_providers(organisation.org_number)]
    return render(request, "portal/org_login.html", {
        "organisation": organisation, "form": form, "providers": providers,
        "login_url": request.build_absolute_uri(reverse("login")),
    }, status=400 if form.errors else 200)
