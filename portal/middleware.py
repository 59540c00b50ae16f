from auditlog.middleware import AuditlogMiddleware
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.languages import chosen_language
from portal.request_id import PROBE_PATHS


class BokmalByDefaultMiddleware:
    """Bokmål unless the user chose another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which turns the site
    English on an English-configured PC in a Norwegian town hall; only an explicit choice (the
    language cookie set by the switch, or the signed-in user's own choice, see
    UserLanguageMiddleware) should do that. Runs just before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language (User.language) on every page, whatever the cookie
    of the browser they happen to use says; without a choice the cookie (or bokmål) stands.

    LocaleMiddleware cannot do this: it runs before AuthenticationMiddleware, so this runs
    just after the latter. Its response half still sets Content-Language from the language
    active here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PROBE_PATHS):
            # A probe answers without loading the user: no query, and no error while the
            # database is away. Every other page loads the user anyway.
            return self.get_response(request)
        user = getattr(request, "user", None)
        language = chosen_language(user) if user is not None and user.is_authenticated else ""
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached (restart, failover) gives a clean 503 page — JSON
    under /api/ — with Retry-After, instead of a 500 with a logged traceback. The persistent
    connection is health-checked at the next request (CONN_HEALTH_CHECKS), so the app
    recovers by itself once PostgreSQL is back. Errors raised outside the view (a session
    saved in process_response) reach portal.views.server_error, which does the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from portal.errors import database_unavailable_response, is_database_unavailable

        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values)
               for key, values in query.lists())


class RejectNulCharactersMiddleware:
    """400 for a NUL character in the path, the query string or a page's form body.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query
    is a 500. Django's and DRF's CharField refuse NUL, but views also read parameters
    directly (an action, an item id, a comment body handed to a service) and choice fields
    look values up; so the path and query are checked here for every route, and the form
    body of every page (not the API, whose serializers check their JSON and form fields) in
    `process_view`, where the user is known and the answer can be the site's error page.
    Django's CSRF check reads the same form body at the same point, so this parses nothing
    that would not be parsed anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            message = _("Ugyldig tegn (NUL) i adressen.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid",
                                     "errors": {"non_field_errors": [message]}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method != "POST" or request.path.startswith("/api/"):
            return None
        if getattr(view, "csrf_exempt", False):
            # A view that reads its body itself (the portfolio upload bounds the upload and
            # checks the permission before the body is read) checks it itself, too.
            return None
        if _has_nul(request.POST):
            from portal.exports import bad_request

            return bad_request(request, _("Skjemaet inneholder et ugyldig tegn (NUL). Fjern "
                                          "det og send skjemaet på nytt."))
        return None

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RefusedWriteMiddleware:
    """A security event for every refused write: a POST, PUT, PATCH or DELETE answered 403,
    on a page or in the API, whatever refused it (an access helper's PermissionDenied, a DRF
    permission, a domain Forbidden, a CSRF failure). One place, after the answer is made, so a
    new view is covered without doing anything (tests/portal/test_route_inventory.py checks
    every refused write of the permission matrix)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in WRITE_METHODS and response.status_code == 403:
            from portal.models import SecurityEventKind
            from portal.security import security_event

            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            security_event(SecurityEventKind.WRITE_REFUSED, request=request,
                           user=user if user is not None and user.is_authenticated else None,
                           data={"method": request.method,
                                 "view": (match.view_name if match else "")[:100]})
        return response


class AuditActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the actor and address of every audit entry the request
    writes) with the client address read as the login throttle and the security log read it
    (portal.login_throttle.client_address): auditlog's own reading would trust the first,
    client-forged X-Forwarded-For entry."""

    @staticmethod
    def _get_remote_addr(request):
        from django.core.validators import validate_ipv46_address

        from portal.login_throttle import client_address

        address = client_address(request)
        try:
            validate_ipv46_address(address)
        except ValidationError:
            return None
        return address

    @staticmethod
    def _get_remote_port(request):
        return None

    @staticmethod
    def _get_actor(request):
        """The user, loaded only when an entry is written: a request that changes nothing
        (a probe, a page while the database is away) never loads it here."""
        from django.utils.functional import SimpleLazyObject

        def actor():
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else None

        return SimpleLazyObject(actor)
