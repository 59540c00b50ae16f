"""Schemathesis against /api/schema/: every operation of the API, called with generated input
(valid and not) by an authenticated manager, must never answer 5xx, must answer only status
codes the schema declares, and every response must match the schema.

Bounded for CI: a few examples per operation, derandomized (the same cases every run), no
Hypothesis deadline (SQLite on a shared machine is slow now and then). A small portfolio
exists, and every case that does not vary a path parameter is sent to rows of it that exist,
so that list, detail and nested routes answer with content, and a body's variants reach the
serializers rather than a 404 (with generated ids 3 874 of 5 779 requests were 404s; now
952, the cases that vary a path parameter)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
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
    home_org, employee, manager = people["home_org"], people["employee"], people["manager"]
    targets = build_world(home_org, people["other_org"], screener=people["coordinator"],
                          manager=manager, leader=people["project_leader"],
                          token_owner=manager, job_owner=manager)
    idea = idea_services.idea_create(actor=employee, organisation=home_org,
                                     title="Digital nattevakt", need="Færre forstyrrelser")
    idea_services.idea_submit(actor=employee, idea=idea)
    _token, key = api_token_create(user=manager, name="fuzz")
    return {"headers": {"Authorization": f"Token {key}"}, "rows": _rows(targets)}


def _rows(targets: dict[str, dict]) -> dict[str, str]:
    """The API's collections (a path up to one of its parameters, without the version and
    the other parameters: "projects/costs") → the key of a row of the world in it that the
    manager may see, as the path carries it (a string)."""
    rows = {
        "ideas": targets["idea"]["pk"],
        "ideas/comments": targets["api-comment"]["comment_pk"],
        "projects": targets["project"]["pk"],
        "benefits": targets["benefit"]["pk"],
        "indicators/jobs": targets["job"]["pk"],
        "portfolio/import/jobs": targets["import-job"]["pk"],
        "notifications": targets["notification"]["pk"],
        "organisations": targets["api-org"]["org_number"],
        "units": targets["api-unit"]["pk"],
    }
    rows.update({f"projects/{name.removeprefix('api-')}": target["pk"]
                 for name, target in targets.items()
                 if name.startswith("api-") and set(target) == {"project_pk", "pk"}})
    return {name: str(key) for name, key in rows.items()}


def collection(path: str, parameter: str) -> str:
    """ "/api/v1/projects/{project_pk}/costs/{id}/", "id" → "projects/costs"."""
    before = path.split("{" + parameter + "}")[0].removeprefix("/api/v1/")
    return "/".join(part for part in before.split("/") if part and not part.startswith("{"))


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def existing_rows(case, rows: dict[str, str]) -> None:
    """Point the case's path at rows that exist, unless the case is about the path itself
    (the coverage phase's variants of a path parameter: wrong types, out of range)."""
    phase = getattr(getattr(case, "meta", None), "phase", None)
    varied = getattr(getattr(phase, "data", None), "parameter_location", None)
    if varied == ParameterLocation.PATH:
        return
    if case.path_parameters:
        case.path_parameters = {**case.path_parameters, **{
            name: rows[collection(case.path, name)] for name in path_parameters(case.path)}}


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
def test_api_answers_as_its_schema_says(case, world, manager_headers, localhost_allowed,
                                        keep_connection):
    existing_rows(case, world["rows"])
    case.call_and_validate(headers=manager_headers, checks=CHECKS)


def test_every_path_parameter_names_a_row_of_the_world(world):
    """Guard for existing_rows: a new route whose path parameter has no row here would fail
    with a KeyError in the fuzz; this says which collection is missing."""
    paths = {result.ok().path for result in schema.get_all_operations()}
    wanted = {collection(path, name) for path in paths for name in path_parameters(path)}
    assert wanted - set(world["rows"]) == set()
    assert collection("/api/v1/projects/{project_pk}/costs/{id}/", "id") == "projects/costs"
    assert collection("/api/v1/projects/{project_pk}/costs/{id}/", "project_pk") == "projects"


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


@pytest.mark.django_db
def test_the_rows_the_cases_are_sent_to_exist_for_the_manager(world, manager_headers,
                                                               localhost_allowed,
                                                               keep_connection):
    """Guard for existing_rows: a GET of every operation with path parameters, with ids that
    name nothing, pointed at the world's rows, answers 200 — each row exists and the manager
    may see it (a row they may not see would turn the fuzz back into a flood of 404s)."""
    answered = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or not path_parameters(operation.path):
            continue
        case = operation.Case(path_parameters=dict.fromkeys(path_parameters(operation.path),
                                                           "987654321"))
        existing_rows(case, world["rows"])
        answered[operation.path] = case.call(headers=manager_headers).status_code
    assert len(answered) > 15
    assert {path: status for path, status in answered.items() if status != 200} == {}
