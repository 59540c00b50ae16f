"""The authorization code flow with PKCE, on mozilla-django-oidc's views and backend.

mozilla-django-oidc reads its whole configuration through `get_settings()`; here that answers
from the provider the login is for (portal.sso.config) and its discovery document, so one set
of views serves every organisation's provider. The library does the flow: a fresh `state`,
`nonce` and PKCE verifier per login kept in the session, the state checked and consumed on the
callback (a replayed or unknown state is refused), the code exchanged with the verifier. This
module adds what it leaves out or to settings: the discovery document, a per-provider redirect
URI, the state bound to the provider it was issued for, the ID token checks of
portal.sso.tokens (signature, iss, aud, exp, nonce), the user from portal.sso.services, and
RP-initiated logout.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)
from requests import HTTPError, RequestException

from portal.errors import DomainError
from portal.sso import services
from portal.sso.claims import identity_from_claims
from portal.sso.config import ProviderConfig, provider_get
from portal.sso.discovery import ProviderUnavailable, discovery_document, signing_keys
from portal.sso.tokens import (
    ASYMMETRIC_ALGORITHMS,
    IdTokenInvalid,
    SigningKeyNotFound,
    verify_id_token,
)

logger = logging.getLogger(__name__)

# Session keys: which provider each pending state was issued for, and, after the login, the
# provider and ID token that RP-initiated logout needs.
SESSION_FLOWS = "sso_flows"
SESSION_PROVIDER = "sso_provider"
SESSION_ID_TOKEN = "sso_id_token"
MAX_PENDING_FLOWS = 20


def provider_settings(provider: ProviderConfig, discovery: dict) -> dict:
    """mozilla-django-oidc's settings for one provider."""
    auth_methods = discovery.get("token_endpoint_auth_methods_supported",
                                 ["client_secret_basic"])
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": discovery["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": discovery["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": discovery.get("userinfo_endpoint"),
        "OIDC_OP_JWKS_ENDPOINT": discovery["jwks_uri"],
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret(),
        "OIDC_RP_SCOPES": " ".join(provider.scopes),
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        # client_secret_post where offered; otherwise HTTP Basic (RFC 6749 §2.3.1's default).
        "OIDC_TOKEN_USE_BASIC_AUTH": "client_secret_post" not in auth_methods,
        "OIDC_TIMEOUT": settings.SSO_HTTP_TIMEOUT,
        "OIDC_STORE_ID_TOKEN": False,  # kept by the callback view after the login instead
        "OIDC_CREATE_USER": True,
        # The library reverses this name for a redirect URI it builds without arguments; both
        # places where it is used are overridden with the provider's own callback_url().
        "OIDC_AUTHENTICATION_CALLBACK_URL": "login",
    }


def callback_url(request: HttpRequest, provider: ProviderConfig) -> str:
    """One redirect URI per provider: the response to a login started at one provider can
    only be completed with that provider (a defence against mix-up attacks)."""
    return request.build_absolute_uri(reverse("sso-callback", args=[provider.slug]))


def _usable_provider(slug: str) -> ProviderConfig:
    provider = provider_get(slug)
    if provider is None:
        raise Http404
    if not provider.client_secret():
        raise ProviderUnavailable(f"the variable {provider.client_secret_env} is not set")
    return provider


class _ProviderSettings:
    provider: ProviderConfig
    discovery: dict

    def get_settings(self, attr, *args):
        values = provider_settings(self.provider, self.discovery)
        if attr in values:
            return values[attr]
        return import_from_settings(attr, *args)


class ProviderLoginView(_ProviderSettings, OIDCAuthenticationRequestView):
    """GET /accounts/sso/<slug>/login/?next=… → the provider's authorization endpoint."""

    def __init__(self, **kwargs):
        # The library reads global settings here; ours are only known per request.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request, slug: str):
        try:
            self.provider = _usable_provider(slug)
            self.discovery = discovery_document(self.provider)
        except ProviderUnavailable as error:
            return provider_unavailable(request, slug, error)
        self.OIDC_OP_AUTH_ENDPOINT = self.discovery["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        # Bind the state the library just issued to this provider (the callback checks it).
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        flows = {k: v for k, v in request.session.get(SESSION_FLOWS, {}).items()
                 if k in request.session.get("oidc_states", {})}
        flows[state] = slug
        request.session[SESSION_FLOWS] = dict(list(flows.items())[-MAX_PENDING_FLOWS:])
        return response

    def get_extra_params(self, request):
        return {"redirect_uri": callback_url(request, self.provider)}


class ProviderCallbackView(_ProviderSettings, OIDCAuthenticationCallbackView):
    """GET /accounts/sso/<slug>/callback/?code=…&state=… from the provider.

    Every refusal renders one page saying what happened, with status 400 (the response did
    not belong to a login started here, or a token failed a check), 403/409 (the account may
    not log in) or 502 (the provider did not answer)."""

    def get(self, request, slug: str):
        try:
            self.provider = _usable_provider(slug)
            self.discovery = discovery_document(self.provider)
        except ProviderUnavailable as error:
            return provider_unavailable(request, slug, error)
        state = request.GET.get("state", "")
        flows = request.session.get(SESSION_FLOWS, {})
        issued_for = flows.pop(state, None)
        request.session[SESSION_FLOWS] = flows
        if issued_for is not None and issued_for != slug:
            request.session.get("oidc_states", {}).pop(state, None)
            request.session.modified = True
        if request.GET.get("error"):
            logger.info("Single sign-on at %s ended with %s: %s", slug, request.GET["error"],
                        request.GET.get("error_description", ""))
            super().get(request)  # consumes the state
            return login_refused(request, _("Innloggingen ble avbrutt hos "
                                            "påloggingstjenesten."), status=400)
        if issued_for != slug:
            logger.warning("Single sign-on callback at %s with a state %s", slug,
                           "issued for another provider" if issued_for else
                           "not issued in this session (replayed, expired or forged)")
            return login_refused(request, _("Innloggingen kunne ikke fullføres fordi svaret "
                                            "ikke hørte til en innlogging som ble startet her. "
                                            "Prøv igjen."), status=400)
        if "iss" in request.GET and request.GET["iss"] != self.provider.issuer:
            # RFC 9207: a provider that names itself in the response must be this one.
            return login_refused(request, _("Svaret kom fra en annen påloggingstjeneste enn "
                                            "den innloggingen ble startet hos."), status=400)
        request.sso_provider = self.provider
        request.sso_discovery = self.discovery
        try:
            return super().get(request)
        except (IdTokenInvalid, SuspiciousOperation) as error:
            logger.warning("Single sign-on at %s refused: %s", slug, error)
            return login_refused(request, _("Innloggingen ble avvist fordi svaret fra "
                                            "påloggingstjenesten ikke kunne bekreftes. Prøv "
                                            "igjen, eller kontakt IT-avdelingen."), status=400)
        except HTTPError as error:
            if error.response is not None and error.response.status_code < 500:
                # The token endpoint refused the code (reused, expired, wrong PKCE verifier).
                logger.warning("Single sign-on at %s: the token endpoint refused: %s",
                               slug, error)
                return login_refused(request, _("Påloggingstjenesten godtok ikke "
                                                "innloggingen. Prøv igjen."), status=400)
            return provider_unavailable(request, slug, error)
        except (ProviderUnavailable, RequestException) as error:
            return provider_unavailable(request, slug, error)
        except DomainError as error:
            return login_refused(request, error.message, status=error.status_code)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_PROVIDER] = self.provider.slug
        id_token = getattr(self.request, "sso_id_token", None)
        if id_token and self.discovery.get("end_session_endpoint"):
            self.request.session[SESSION_ID_TOKEN] = id_token
        return response

    def login_failure(self):
        return login_refused(self.request, _("Innloggingen kunne ikke fullføres. Prøv igjen."),
                             status=400)


class ProviderBackend(_ProviderSettings, OIDCAuthenticationBackend):
    """Authenticates only on the callback view above, for the provider it set on the request;
    for every other authenticate() call (the password form) it answers None at once."""

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        provider = getattr(request, "sso_provider", None)
        if provider is None or "nonce" not in kwargs:
            return None
        self.provider, self.discovery = provider, request.sso_discovery
        self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = "RS256"  # unused: verify_token below decides
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        payload["redirect_uri"] = callback_url(self.request, self.provider)
        return super().get_token(payload)

    def verify_token(self, token, **kwargs):
        algorithms = tuple(a for a in self.discovery.get("id_token_signing_alg_values_supported",
                                                         ["RS256"])
                           if a in ASYMMETRIC_ALGORITHMS) or ("RS256",)
        check = dict(issuer=self.discovery["issuer"], client_id=self.provider.client_id,
                     nonce=kwargs.get("nonce"), algorithms=algorithms)
        try:
            return verify_id_token(token, jwks=signing_keys(self.OIDC_OP_JWKS_ENDPOINT), **check)
        except SigningKeyNotFound:
            return verify_id_token(
                token, jwks=signing_keys(self.OIDC_OP_JWKS_ENDPOINT, refresh=True), **check)

    def get_userinfo(self, access_token, id_token, payload):
        """The verified ID token's claims; the userinfo endpoint only fills in what the token
        lacks (e-mail, name), and only when it answers for the same subject (Core §5.3.2)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and not claims.get("email"):
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload["sub"]:
                raise IdTokenInvalid("the userinfo response is for another subject")
            for name, value in userinfo.items():
                claims.setdefault(name, value)
        return claims

    def store_tokens(self, access_token, id_token):
        self.request.sso_id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        identity = identity_from_claims(claims, issuer=payload["iss"])
        return services.sso_login(provider=self.provider, identity=identity)


def provider_logout_url(request: HttpRequest) -> str | None:
    """The provider's end_session_endpoint (RP-initiated logout 1.0) for a user who logged in
    through a provider that has one, coming back to the login page afterwards; else None."""
    login_url = request.build_absolute_uri(reverse("login"))
    slug, id_token = request.session.get(SESSION_PROVIDER), request.session.get(SESSION_ID_TOKEN)
    provider = provider_get(slug) if slug else None
    if provider is None or not id_token:
        return None
    try:
        endpoint = discovery_document(provider).get("end_session_endpoint")
    except ProviderUnavailable as error:
        logger.warning("Logout: the provider %s did not answer (%s); local logout only",
                       slug, error)
        return None
    if not endpoint:
        return None
    query = urlencode({"id_token_hint": id_token, "client_id": provider.client_id,
                       "post_logout_redirect_uri": login_url})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def login_refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "registration/sso_error.html", {"message": message}, status=status)


def provider_unavailable(request: HttpRequest, slug: str, error: Exception) -> HttpResponse:
    logger.error("Single sign-on provider %s unavailable: %s", slug, error)
    return login_refused(request, _("Påloggingstjenesten svarer ikke akkurat nå. Prøv igjen "
                                    "om litt, eller logg inn med passord om organisasjonen "
                                    "din tillater det."), status=502)
