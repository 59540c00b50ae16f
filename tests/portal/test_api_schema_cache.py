"""/api/schema/ serves the schema generated once per process and language (portal.api.schema
SchemaView): the same answer as drf-spectacular's own view, generated once, and only for what
a request cannot multiply."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory, override_settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView

from portal.api import schema as schema_module

pytestmark = pytest.mark.django_db

# The view's own headers (the middleware's, such as Vary, are not the view's to change).
HEADERS = ("Content-Type", "Content-Disposition", "Allow")


@pytest.fixture
def generations(monkeypatch):
    """The schemas generated from now on (the cache emptied first), by language."""
    made = []
    real = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        made.append(translation.get_language())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    schema_module._schemas.clear()
    yield made
    schema_module._schemas.clear()


def _upstream(query="", language="nb", **headers):
    """The answer of drf-spectacular's view itself, generated for this request."""
    request = RequestFactory().get(f"/api/schema/{query}", **headers)
    request.user = AnonymousUser()
    with translation.override(language):
        response = SpectacularAPIView.as_view()(request)
        response.render()
    return response


def _same(served, upstream):
    assert served.status_code == upstream.status_code == 200
    assert served.content == upstream.content
    for header in HEADERS:
        assert served.get(header) == upstream.get(header), header


@pytest.mark.parametrize(("query", "headers"), [
    ("", {}),
    ("?format=json", {}),
    ("", {"HTTP_ACCEPT": "application/json"}),
    ("", {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}),
    ("", {"HTTP_ACCEPT": "application/yaml"}),
    ("?lang=en", {}),
    ("?lang=nn&format=yaml", {}),
])
def test_served_from_the_cache_as_drf_spectacular_serves_it(generations, query, headers):
    client = Client()
    first = client.get(f"/api/schema/{query}", **headers)
    again = client.get(f"/api/schema/{query}", **headers)
    assert len(generations) == 1
    language = "en" if "lang=en" in query else "nn" if "lang=nn" in query else "nb"
    upstream = _upstream(query, language, **headers)
    _same(first, upstream)
    _same(again, upstream)


def test_one_generation_per_language_for_every_format(generations):
    client = Client()
    for query in ("", "?format=json", "?lang=en", "?lang=en&format=json", "?lang=nb"):
        assert client.get(f"/api/schema/{query}").status_code == 200
    assert generations == ["nb", "en"]
    assert client.get("/api/schema/?lang=en").content != client.get("/api/schema/").content
    assert generations == ["nb", "en"]


def test_the_schema_is_the_same_for_every_user(generations, manager, outsider,
                                               national_analyst):
    """What the cache relies on: the schema does not depend on who asks (it is public)."""
    anonymous = Client().get("/api/schema/").content
    for user in (manager, outsider, national_analyst):
        schema_module._schemas.clear()
        client = Client()
        client.force_login(user)
        assert client.get("/api/schema/").content == anonymous
    assert len(generations) == 4


@pytest.mark.parametrize(("query", "language"), [("?version=2", "nb"), ("?lang=xx", "xx")])
def test_a_version_or_an_unknown_language_is_generated_anew(generations, query, language):
    """Any version string and any language code are answered as before, not kept: the cache
    holds at most one schema per configured language."""
    client = Client()
    served = [client.get(f"/api/schema/{query}") for _ in range(2)]
    assert len(generations) == 2 and schema_module._schemas == {}
    _same(served[0], _upstream(query, language))
    _same(served[1], served[0])


def test_a_json_indent_is_rendered_anew(generations):
    accept = {"HTTP_ACCEPT": "application/json; indent=2"}
    client = Client()
    served = [client.get("/api/schema/", **accept) for _ in range(2)]
    assert len(generations) == 1
    assert [schema.rendered for schema in schema_module._schemas.values()] == [{}]
    _same(served[0], _upstream("", "nb", **accept))
    _same(served[1], served[0])


def test_a_changed_setting_forgets_the_schema(generations):
    client = Client()
    client.get("/api/schema/")
    with override_settings(SPECTACULAR_SETTINGS={"TITLE": "Endret"}):
        assert schema_module._schemas == {}
    client.get("/api/schema/")
    assert len(generations) == 2
