"""Rendered pages kept in the cache until the data they show changes.

`cached_page` wraps a GET view whose answer depends only on the database, the user, the
address, the language, the day and the session's CSRF secret (its forms carry a token of it).
The answer is stored under a key of all of these (and the scheme and host, which absolute
links carry) plus the data version read *before* the view runs (portal.data_version): any
committed write makes a new version, so a stored page is never served after a change, and a
page stored while a change committed holds the newer data, never the older. The code's
fingerprint is in the key too, so a deploy starts afresh.

A view whose page records something when it is read (the project page records the visit)
names a replay (`replay_on_hit`), which a hit runs in its place; a view whose page must not be
served again (the project page telling of changes since the last visit) says
`do_not_store`.

Not cached, so the view runs as always: anything but GET, an anonymous user, a request with
messages waiting to be shown (the frame shows them once), a request without a CSRF cookie
(its secret is new each time), a database without a version (SQLite) and PAGE_CACHE off; and
not stored: an answer other than 200, a streaming one, or one that sets cookies.

The answer carries `X-Page-Cache: hit` or `miss` (bench/load.py counts them)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language
from prometheus_client import Counter

from portal import data_version
from portal.version import app_version

HEADER = "X-Page-Cache"
PAGES = Counter("innoportal_page_cache_total", "Cached page lookups, by view and outcome.",
                ["view", "outcome"])

ROOT = Path(__file__).resolve().parent.parent
_SOURCES = (".py", ".html", ".txt", ".mo", ".svg")
_NOT_SERVED = {".venv", ".git", "tests", "bench", "scripts", "node_modules", "staticfiles"}


def _settings_text() -> str:
    """The settings that are plain values (a changed environment changes some of them)."""
    plain = {}
    for name in dir(settings):
        if name.isupper():
            try:
                plain[name] = json.loads(json.dumps(getattr(settings, name),
                                                    default=lambda value: None))
            except (TypeError, ValueError):
                plain[name] = None
    return json.dumps(plain, sort_keys=True, default=str)


def _fingerprint_now() -> str:
    digest = hashlib.sha256(app_version().encode())
    digest.update(_settings_text().encode())
    files = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in _NOT_SERVED]
        files += [Path(folder, name) for name in names if name.endswith(_SOURCES)]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in sorted(files) + ([manifest] if manifest.exists() else []):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()[:16]


_fingerprint_cached = functools.cache(_fingerprint_now)


def code_fingerprint() -> str:
    """What the served code is: its version, its settings and its files' times and sizes
    (templates, code, translations, the static manifest). Read once per process and again
    when a setting is changed (tests); on every call under DEBUG, where templates change
    without a restart."""
    return _fingerprint_now() if settings.DEBUG else _fingerprint_cached()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _fingerprint_cached.cache_clear()


def page_key(request: HttpRequest) -> str | None:
    """The request's cache key, or None when its answer must not come from the cache."""
    if not settings.PAGE_CACHE or request.method != "GET":
        return None
    user = request.user
    secret = request.META.get("CSRF_COOKIE")
    if not user.is_authenticated or not secret:
        return None
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):  # counts without marking them as shown
        return None
    # Read with the session, before anything the page shows (portal.sessions); else now.
    version = getattr(request.session, "data_version", None)
    if version is None:
        version = data_version.current()
    if version is None:
        return None
    htmx = sorted((name, value) for name, value in request.headers.items()
                  if name.lower().startswith("hx-"))
    parts = [settings.PAGE_CACHE_SALT, code_fingerprint(), version, user.pk, get_language(),
             timezone.localdate().isoformat(), secret, htmx, request.scheme,
             request.get_host(), request.get_full_path()]
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


# name -> function(request, *args): what a hit does in place of the view's own writes.
REPLAYS: dict[str, Callable[..., None]] = {}


def replay(name: str):
    """Register a replay under `name` (decorator)."""
    def register(function: Callable[..., None]) -> Callable[..., None]:
        REPLAYS[name] = function
        return function
    return register


def replay_on_hit(request: HttpRequest, name: str, *args) -> None:
    """The page being rendered wrote something; a hit on it must run REPLAYS[name](request,
    *args) to write it again."""
    request.page_cache_replays = [*getattr(request, "page_cache_replays", []), (name, args)]


def do_not_store(request: HttpRequest) -> None:
    """The page being rendered is for this visit only."""
    request.page_cache_store = False


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and getattr(request, "page_cache_store", True))


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s answer from the cache while the data is unchanged (module docstring)."""
    name = f"{view.__module__}.{view.__name__}"

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = cache.get(key)
        if stored is not None:
            compressed, headers, replays = stored
            for replay_name, replay_args in replays:
                REPLAYS[replay_name](request, *replay_args)
            response = HttpResponse(zlib.decompress(compressed))
            for header, value in headers:
                response[header] = value
            response[HEADER] = "hit"
            get_token(request)  # as the page's forms did when it was rendered
            PAGES.labels(name, "hit").inc()
            return response
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            # Compressed: a page of 15–60 kB takes 3–10 kB (0.1–0.3 ms to compress).
            cache.set(key, (zlib.compress(response.content, 1), list(response.items()),
                            getattr(request, "page_cache_replays", [])),
                      settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "miss"
            PAGES.labels(name, "miss").inc()
        return response

    return wrapper
