from typing import NoReturn

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal import login_throttle
from portal.audit import audit_actor_set
from portal.models import ApiToken
from portal.rows import row_or_none


class AddressThrottled(exceptions.Throttled):
    """429 with Retry-After (DRF's handler sets it from `wait`)."""

    default_detail = _("For mange ugyldige nøkler fra denne adressen.")
    extra_detail_singular = _("Prøv igjen om {wait} sekund.")
    extra_detail_plural = _("Prøv igjen om {wait} sekunder.")

    def __init__(self, wait: int):
        super().__init__(detail=str(self.default_detail), wait=wait)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` with a personal API token (revocable, stored hashed)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            key = None
        token = key and row_or_none(ApiToken.objects.select_related("user")
                                    .filter(key_hash=ApiToken.hash_key(key)))
        if not token or not token.is_active or not token.user.is_active:
            self._failed(request)
        now = timezone.now()
        # Touch at most once a minute: the column is informational, not worth a write per call.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The token's owner is the actor of what this request changes (the audit middleware
        # ran before DRF knew the user).
        audit_actor_set(token.user)
        return token.user, token

    def _failed(self, request) -> NoReturn:
        """A wrong key: counted towards the address's limit and logged. A valid key is never
        refused (portal.login_throttle); from an address over its limit the wrong ones get
        429 with Retry-After instead of 401."""
        from portal.models import SecurityEventKind
        from portal.security import security_event

        current = login_throttle.standing(None, request)
        login_throttle.record_failure(current)
        security_event(SecurityEventKind.TOKEN_FAILED, request=request)
        if login_throttle.ADDRESS in current.reached_by_next_failure():
            security_event(SecurityEventKind.LOCKOUT, request=request,
                           data={"scope": login_throttle.ADDRESS})
        lockout = current.address_lockout()
        if lockout is not None:
            raise AddressThrottled(wait=lockout.retry_after)
        raise exceptions.AuthenticationFailed(_("Ugyldig eller tilbaketrukket nøkkel."))

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication: `Token <key>`."}
