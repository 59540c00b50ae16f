from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal import login_throttle
from portal.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` with a personal API token (revocable, stored hashed)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header."))
        # Wrong keys count towards the same per-address lock as failed logins.
        if login_throttle.is_locked(None, request):
            raise exceptions.Throttled(detail=_("For mange ugyldige nøkler fra denne adressen. "
                                                "Prøv igjen senere."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Ugyldig nøkkel."))
        token = (ApiToken.objects.select_related("user")
                 .filter(key_hash=ApiToken.hash_key(key)).first())
        if token is None or not token.is_active or not token.user.is_active:
            login_throttle.record_failure(None, request)
            raise exceptions.AuthenticationFailed(_("Ugyldig eller tilbaketrukket nøkkel."))
        now = timezone.now()
        # Touch at most once a minute: the column is informational, not worth a write per call.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication: `Token <key>`."}
