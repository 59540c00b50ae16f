"""Every API view derives from the scoped API base (portal.api.base, issue 14): a viewset from
ScopedViewSetMixin (it owns get_queryset()), any other endpoint from ScopedAPIView (it names the
access helpers or selectors that scope what it reads). A new route that forgets its scope
fails here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from portal.api.base import ScopedAPIView, ScopedViewSetMixin

API_PREFIX = "api/v1/"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def api_views() -> dict[str, type]:
    found = {}
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if route.startswith(API_PREFIX) or (view and issubclass(view, APIView)
                                           and view.__module__.split(".")[0] != "drf_spectacular"):
            found[route] = view
    return found


def test_the_sweep_sees_the_api():
    views = api_views()
    assert len(views) > 20
    assert any("indicators" in route for route in views)
    assert any("portfolio" in route for route in views)


def test_every_api_view_derives_from_the_scoped_base():
    outside = sorted(f"{route} -> {view.__module__}.{view.__qualname__}"
                     for route, view in api_views().items()
                     if view is None or not issubclass(view, (ScopedViewSetMixin, ScopedAPIView)))
    assert outside == []


def test_every_scoped_api_view_names_its_scope():
    for view in api_views().values():
        if issubclass(view, ScopedAPIView):
            assert view.scoped_by, view


def test_an_endpoint_without_its_scope_cannot_be_defined():
    with pytest.raises(TypeError, match="scoped_by"):
        class Unscoped(ScopedAPIView):
            def get(self, request):  # pragma: no cover - never defined
                return None


def test_every_api_view_answers_its_errors_in_json():
    """portal.api.base.JsonErrors is in both bases; no view may take it out of its path by
    defining its own finalize_response before it."""
    from portal.api.base import JsonErrors

    for route, view in api_views().items():
        assert issubclass(view, JsonErrors), route
        first = next(c for c in view.__mro__ if "finalize_response" in c.__dict__)
        assert first is JsonErrors, f"{route}: {first.__qualname__} comes before JsonErrors"
