"""portal.rows.row_or_none: the one row a unique key names, read without an ORDER BY (the
access helpers and the API's token check make such a lookup on every request; issue 14)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import ApiToken
from portal.rows import row_or_none
from portal.services import api_token_create

pytestmark = pytest.mark.django_db


def test_the_row_a_key_names_is_read_unordered(manager):
    token, _key = api_token_create(user=manager, name="nøkkel")
    with CaptureQueriesContext(connection) as queries:
        found = row_or_none(ApiToken.objects.filter(key_hash=token.key_hash))
    assert found == token
    # ApiToken is ordered by -created_at: .first() would have sorted the one row.
    assert len(queries) == 1 and "ORDER BY" not in queries[0]["sql"].upper()


def test_no_row_is_none(manager):
    assert row_or_none(ApiToken.objects.filter(key_hash=ApiToken.hash_key("ukjent"))) is None


def test_an_api_request_finds_its_token_without_ordering(manager, token_client):
    client = token_client(manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/ideas/")
    assert response.status_code == 200
    token_reads = [q["sql"] for q in queries if 'FROM "portal_apitoken"' in q["sql"]]
    assert token_reads and all("ORDER BY" not in sql.upper() for sql in token_reads)


def test_an_organisation_page_finds_its_organisation_without_ordering(client, org_admin,
                                                                     home_org):
    """portal.access.get_organisation_for_user reads the organisation its unique number names
    (the organisation pages, the audit, the statements) without an ORDER BY."""
    client.force_login(org_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/organisation/{home_org.org_number}/members/")
    assert response.status_code == 200
    reads = [q["sql"] for q in queries
             if 'FROM "portal_organisation"' in q["sql"] and '"org_number" =' in q["sql"]]
    assert reads and all("ORDER BY" not in sql.upper() for sql in reads)
