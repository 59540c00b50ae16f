"""Schemathesis against /api/schema/: every operation of the API, called with generated input
(valid and not) by an authenticated manager, must never answer 5xx, must answer only status
codes the schema declares, and every response must match the schema.

Bounded for CI: a few examples per operation, derandomized (the same cases every run), no
Hypothesis deadline (SQLite on a shared machine is slow now and then). A small portfolio
exists so that list, detail and nested routes answer with content, not just 404s."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from ideas import services as idea_services
from innoportal.wsgi import application
from portal.services import api_token_create
from tests.portal.route_world import build_world
from tests.worlds import shared_personas

MAX_EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection():
    """The cases go to the WSGI application itself, whose request_finished signal closes the
    database connection, and with it the test's transaction (PostgreSQL). Django's test
    client disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _portfolio(people: dict) -> dict:
    """A small portfolio in the home organisation (and one elsewhere, to be refused), and the
    manager's personal API token; built once for the module (tests/worlds.py), each case
    runs in the test's savepoint, rolled back after it."""
    home_org, employee = people["home_org"], people["employee"]
    build_world(home_org, people["other_org"], screener=people["coordinator"],
                manager=people["manager"], leader=people["project_leader"],
                token_owner=employee, job_owner=people["org_admin"])
    idea = idea_services.idea_create(actor=employee, organisation=home_org,
                                     title="Digital nattevakt", need="Færre forstyrrelser")
    idea_services.idea_submit(actor=employee, idea=idea)
    _token, key = api_token_create(user=people["manager"], name="fuzz")
    return {"headers": {"Authorization": f"Token {key}"}}


globals().update(shared_personas(build=_portfolio))


@pytest.fixture
def manager_headers(world):
    return world["headers"]


@pytest.fixture
def localhost_allowed(settings):
    """Schemathesis' WSGI transport names the host "localhost". Set once per operation, not
    in the test's body: Hypothesis calls the body once per case, and each assignment to
    pytest-django's `settings` stacks one more override that every later settings read walks
    through (about 50 deep by an operation's last case: 13 % of the fuzz's time)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


def _load_schema():
    """The schema as /api/schema/ serves it, generated in-process (no request, no database),
    and the WSGI application the generated cases are sent to."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None,
                                                                          public=True))
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(case, manager_headers, localhost_allowed,
                                        keep_connection):
    case.call_and_validate(headers=manager_headers, checks=CHECKS)


def test_the_schema_lists_the_api():
    """Guard for the fuzz test: it only proves something if the schema it reads has the
    API's operations (a broken schema view would make it vacuous)."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"/api/v1/ideas/", "/api/v1/projects/{id}/transitions/",
            "/api/v1/indicators/", "/api/v1/benefits/{id}/measurements/"} <= set(paths)
    assert sum(len(ops) for ops in paths.values()) > 60


def test_every_operation_has_a_test_built_when_it_runs(request):
    """Guard for the collection (tests/schema_fuzz_items.py): one test per operation of the
    schema, each an item that builds its Hypothesis test when it runs, so that a worker which
    does not run them does not build them."""
    from tests.schema_fuzz_items import OperationTest

    tests = [item for item in request.session.items
             if getattr(item, "originalname", "") == test_api_answers_as_its_schema_says.__name__]
    assert sorted(item.operation_label for item in tests) == sorted(
        result.ok().label for result in schema.get_all_operations())
    assert all(type(item) is OperationTest for item in tests)
