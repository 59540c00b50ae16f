"""The language switch in the header."""

from django.http import HttpRequest, HttpResponse
from django.views import i18n

from portal import services
from portal.languages import is_supported


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, then back to `next`), and for a signed-in user the
    choice is also kept on the user, so it follows them to other browsers and into the
    e-mails Innoportal sends them."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and is_supported(language):
        services.user_language_set(user=request.user, language=language)
    return response
