"""What a long-running process does once it is ready to serve: settle its memory.

A worker holds some 150 000 long-lived objects after start-up (modules, the URL resolver,
compiled templates, model metadata). CPython's full garbage collection walks all of them, and
a page that makes many objects (the indicator page of a large municipality makes ~4 000
contributions) sets one off every few requests: about 60 ms each on this two-core machine,
most of a page's p95 (issue 18). `gc.freeze()` moves what exists at that moment out of the
collector's sight for good, so later collections walk only what requests made. Called by each
gunicorn worker after it has loaded the application (gunicorn.conf.py `post_worker_init`) and
by bench/pages.py after its warm-up, so the bench measures what the server does.
"""

from __future__ import annotations

import gc


def settle_worker() -> int:
    """Load what every request needs (the URL resolver's lookups, the cache backends), collect
    once, and freeze the survivors. Returns how many objects are frozen."""
    from django.conf import settings
    from django.core.cache import caches
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 - populates the resolver (reverse() on every page)
    # Every signed-in page reads the cache (portal.page_cache). Its backend is made on first
    # use, importing the Redis client then: 50-90 ms in the first such request of each worker
    # (the p95 of bench/pages.py's first page). Made here, no connection yet, and frozen.
    for alias in settings.CACHES:
        caches[alias]  # noqa: B018
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
