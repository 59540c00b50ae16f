class BokmalByDefaultMiddleware:
    """Bokmål unless the user chose another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which turns the site
    English on an English-configured PC in a Norwegian town hall; only an explicit choice (the
    language cookie set by the switch) should do that. Runs just before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
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
