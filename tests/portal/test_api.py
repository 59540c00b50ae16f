import pytest
from django.urls import reverse

from portal.models import ApiToken
from portal.services import api_token_revoke


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/units/", "/api/v1/me/"])
def test_anonymous_is_refused_with_401_and_json(api_client, db, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_authenticates_and_revoked_token_fails(token_client, employee, home_org):
    client = token_client(employee)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert [o["org_number"] for o in response.json()["results"]] == [home_org.org_number]

    token = ApiToken.objects.get(user=employee)
    assert token.last_used_at is not None
    api_token_revoke(user=employee, token=token)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_garbage_token_fails(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_user_sees_only_their_own_organisations_and_members(token_client, employee, home_org,
                                                            other_org, outsider):
    client = token_client(employee)
    members = client.get(f"/api/v1/organisations/{home_org.org_number}/members/").json()
    usernames = {m["username"] for m in members["results"]}
    assert "employee" in usernames and "outsider" not in usernames
    # Another organisation's members: not found, not even its existence.
    response = client.get(f"/api/v1/organisations/{other_org.org_number}/members/")
    assert response.status_code == 404
    assert client.get(f"/api/v1/organisations/{other_org.org_number}/").status_code == 404


def test_units_are_scoped_to_own_organisations(api_client, employee, home_org, other_org):
    from tests.factories import UnitFactory

    mine = UnitFactory(organisation=home_org, name="Sykehjem")
    UnitFactory(organisation=other_org, name="Fremmed enhet")
    api_client.force_authenticate(employee)
    results = api_client.get("/api/v1/units/").json()["results"]
    assert [u["id"] for u in results] == [mine.pk]


def test_me_lists_memberships(api_client, coordinator, home_org):
    api_client.force_authenticate(coordinator)
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == "coordinator"
    assert body["memberships"] == [{
        "organisation": {"org_number": home_org.org_number, "name": home_org.name,
                         "kind": "municipality", "county": "Innlandet", "county_number": "34",
                         "municipality_number": "", "population": 12000,
                         "size_class": "medium"},
        "role": "coordinator", "unit": None}]


def test_bad_filter_input_gives_json_field_errors(api_client, employee):
    api_client.force_authenticate(employee)
    response = api_client.get("/api/v1/organisations/", {"kind": "planet"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "kind" in body["errors"] and body["errors"]["kind"]


def test_api_token_page_creates_shows_once_and_revokes(client, employee):
    client.force_login(employee)
    response = client.post(reverse("api-tokens"), {"name": "Statistikk"})
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = ApiToken.objects.get(user=employee)
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    # Shown once: a reload lists the token by prefix only.
    assert key not in client.get(reverse("api-tokens")).content.decode()
    client.post(reverse("api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, employee, manager, token_client):
    token_client(manager)
    token = ApiToken.objects.get(user=manager)
    client.force_login(employee)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_schema_and_offline_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Served from the sidecar package, not a CDN.
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn turns any schema warning (unnamed enums, unresolvable serializers) into
    # a failure, so the published contract stays clean.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")


def test_me_answers_with_a_session_login_too(client, employee):
    """The browsable API and scripts in the browser use the session, where request.user is
    Django's lazy wrapper, not the User class."""
    client.force_login(employee)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "employee"


def test_api_docs_run_under_the_csp_without_inline_script(client, db):
    """The CSP allows only script files from our origin: the docs page loads its settings
    as a script file (drf-spectacular's split view), not as an inline block it would block."""
    from tests.security.crawl import parse

    docs = client.get("/api/docs/")
    page = parse(docs.content.decode())
    assert page.inline_scripts == [] and page.handlers == []
    assert "'unsafe-inline'" not in docs["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content
