"""The person's language (bokmål, nynorsk, English).

Anonymous visitors get bokmål unless they press the language switch (a cookie); the browser's
Accept-Language is ignored (portal.middleware.BokmalByDefaultMiddleware). A signed-in person's
choice is kept on the user (`User.language`, set by the switch): it is activated on every
request they make (portal.middleware.UserLanguageMiddleware), the login copies it into the
cookie, and every e-mail sent to them outside a request is rendered in it (`language_for`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse


def is_supported(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def chosen_language(user) -> str:
    """The user's own choice, or "" when they have made none (or it is no longer offered)."""
    code = getattr(user, "language", "") if user is not None else ""
    return code if is_supported(code) else ""


def language_for(user) -> str:
    """The language to write to this person in when no request says otherwise (mails from
    beat tasks and after-commit callbacks): their choice, else the site's default."""
    return chosen_language(user) or settings.LANGUAGE_CODE


def set_language_cookie(response: HttpResponse, code: str) -> None:
    """The same cookie Django's set_language view writes, so anonymous pages after a logout
    stay in the person's language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
