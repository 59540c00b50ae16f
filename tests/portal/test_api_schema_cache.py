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


@pytest.mark.parametrize(("query", "refused"), [
    ("?version=2", {"version"}),
    ("?version=", {"version"}),
    ("?lang=xx", {"lang"}),
    ("?lang=de", {"lang"}),
    ("?lang=NB", {"lang"}),
    ("?lang=xx&version=9&format=json", {"lang", "version"}),
])
def test_a_version_or_a_language_it_does_not_serve_is_refused(generations, query, refused):
    """drf-spectacular generated a new schema for every version string and language code (about
    0.3 s of CPU, for anyone, on demand) and served ?lang=de partly in German. Here they are a
    400 naming the parameter, nothing is generated and the cache holds nothing new."""
    client = Client()
    for _ in range(2):
        response = client.get(f"/api/schema/{query}", HTTP_ACCEPT="application/json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == refused
    assert generations == [] and schema_module._schemas == {}


def test_the_refusal_is_in_the_language_of_the_request(generations):
    response = Client().get("/api/schema/?lang=de", HTTP_ACCEPT="application/json",
                            HTTP_COOKIE="django_language=en")
    assert response.json()["errors"]["lang"] == ["lang must be one of nb, nn, en."]


def test_the_one_version_and_an_empty_language_are_the_cached_schema(generations):
    client = Client()
    plain = client.get("/api/schema/")
    for query in ("?version=1.0.0", "?lang=", "?lang=&version=1.0.0"):
        served = client.get(f"/api/schema/{query}")
        assert served.status_code == 200
        assert served.content == plain.content
        assert served["Content-Disposition"] == plain["Content-Disposition"]
    assert generations == ["nb"]


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


def test_an_active_language_outside_the_settings_is_generated_but_not_kept(generations):
    """The view refuses a `lang` it does not serve; should some other path activate such a
    language, the schema is generated for it but not kept: the cache holds at most one schema
    per language of settings.LANGUAGES."""
    request = RequestFactory().get("/api/schema/")
    request.user = AnonymousUser()
    with translation.override("de"):
        response = schema_module.SchemaView.as_view()(request)
        response.render()
    assert response.status_code == 200
    assert generations == ["de"] and schema_module._schemas == {}
