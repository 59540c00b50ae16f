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
