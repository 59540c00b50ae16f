"""Persona fixtures shared by every app's tests: one organisation ("home") with a user per role,
an outsider from another municipality, analysts, and API clients."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from portal.roles import Role
from portal.runtime import settle_worker
from portal.services import api_token_create
from tests import personas as personas_module
from tests.database import django_db_setup, pytest_sessionfinish  # noqa: F401 (one migrate a run)


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language. A request with the English cookie leaves
    English active in the thread, and under xdist the next test on that worker may not make a
    request of its own (it then saw English gettext results: an order-dependent failure)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _page_cache_salt():
    """A new namespace of cached pages for every test (portal.page_cache). A test's rollback
    takes the data version back with its data, so the next test would reach the same version
    with other data: the salt keeps one test's pages from being served to another. Within a
    test the cache is on, so every test that reads a page after a change checks it is fresh."""
    import uuid

    from django.conf import settings

    settings.PAGE_CACHE_SALT = uuid.uuid4().hex
    yield
    settings.PAGE_CACHE_SALT = ""


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete():
    """Transactional tests' flush deletes rather than truncates (tests/flush.py says why)."""
    from tests.flush import flush_by_delete

    with flush_by_delete():
        yield


@pytest.fixture
def home_org(db):
    return personas_module.make_home_org()


@pytest.fixture
def other_org(db):
    return personas_module.make_other_org()


@pytest.fixture
def employee(home_org):
    return personas_module.member(home_org, Role.EMPLOYEE, "employee")


@pytest.fixture
def coordinator(home_org):
    return personas_module.member(home_org, Role.COORDINATOR, "coordinator")


@pytest.fixture
def project_leader(home_org):
    return personas_module.member(home_org, Role.PROJECT_LEADER, "project_leader")


@pytest.fixture
def manager(home_org):
    return personas_module.member(home_org, Role.MANAGER, "manager")


@pytest.fixture
def org_admin(home_org):
    return personas_module.member(home_org, Role.ADMIN, "org_admin")


@pytest.fixture
def outsider(other_org):
    """An admin of another municipality: high rights, but not here."""
    return personas_module.member(other_org, Role.ADMIN, "outsider")


@pytest.fixture
def network_analyst(db, home_org, other_org):
    return personas_module.make_network_analyst(home_org, other_org)


@pytest.fixture
def national_analyst(db):
    return personas_module.make_national_analyst()


@pytest.fixture
def personas(employee, coordinator, project_leader, manager, org_admin, outsider):
    return {"employee": employee, "coordinator": coordinator, "project_leader": project_leader,
            "manager": manager, "admin": org_admin, "outsider": outsider, "anonymous": None}


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client(db):
    """Make an API client authenticated with a fresh personal token of `user`."""

    def make(user):
        _token, key = api_token_create(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """A test that Schemathesis parametrizes by API operation has each operation's test built
    on the worker that runs it, when it runs, not by every worker at collection
    (tests/schema_fuzz_items.py)."""
    result = yield
    if type(result).__name__ == "SchemathesisCase":
        from tests.schema_fuzz_items import built_when_run

        return built_when_run(result)
    return result


def pytest_collection_modifyitems(items):
    """Browser tests run last: they are the slowest, and their transactional flushes (which
    recreate content types) must not come before tests that restore serialized data."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    _files_stay_together(items)
    _unique_node_ids(items)


def pytest_collection_finish(session):
    """Under xdist, each worker tells the scheduler how its tests use the database. Then the
    collected modules are frozen out of the garbage collector, as a server worker does once
    it has loaded the application (portal.runtime): a full collection no longer walks them
    (about a tenth of the suite's CPU went to full collections)."""
    settle_worker()
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is not None:
        from tests.scheduling import record_database_use

        shared = session.config._tmp_path_factory.getbasetemp().parent
        record_database_use(shared, workerinput["workerid"],
                            {item.nodeid: _database_use(item) for item in session.items})


def _database_use(item) -> str:
    """"ordinary", "transactional" or "none", as pytest-django decides when it orders the
    tests (ordinary first, then transactional, then those that use no database), and
    "serialized" for a transactional test that restores the serialized database first (it
    must run before any flush that recreates content types, tests/scheduling.py)."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.plugin import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return "ordinary" if issubclass(cls, TestCase) else "transactional"
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences, _databases, serialized, _apps = (
        validate_django_db(marker) if marker else (False, False, None, False, None))
    fixtures = set(getattr(item, "fixturenames", ()))
    if serialized or "django_db_serialized_rollback" in fixtures:
        return "serialized"
    if transaction or reset_sequences or fixtures & {"transactional_db", "live_server"}:
        return "transactional"
    return "ordinary" if marker or "db" in fixtures else "none"


def _files_stay_together(items) -> None:
    """A file's tests that use no database run right after the file's ordinary tests, not
    after every other test as pytest-django orders them. They may read what the file's
    module-scoped world built (the input sweep's guard reads its discovery): at the end of the
    run, or as a separate unit on another worker (tests/scheduling.py), the world would be
    built again (23 s for the input sweep). Transactional tests stay where they are."""
    uses = [_database_use(item) for item in items]
    last_ordinary = {item.path: index for index, (item, use) in enumerate(zip(items, uses))
                     if use == "ordinary"}
    moved = {path: [item for item, use in zip(items, uses)
                    if use == "none" and item.path == path] for path in last_ordinary}
    together = []
    for index, (item, use) in enumerate(zip(items, uses)):
        if use == "none" and item.path in last_ordinary:
            continue
        together.append(item)
        if last_ordinary.get(item.path) == index:
            together += moved[item.path]
    items[:] = together


def _unique_node_ids(items) -> None:
    """Every test has its own node id. Schemathesis names each operation's test
    `test_…[GET /api/v1/…]` but leaves its node id without the operation (pytest 9.2), so 108
    tests shared one id, and xdist's scope scheduling, which keys tests by id, ran one of them
    (tests/scheduling.py). Such a test gets the id pytest gives a node of its name; any other
    shared id stops the run rather than losing tests silently."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.nodeid.rsplit("::", 1)[-1] != item.name:
            item._id = item.parent.id.child(item.name)
    shared = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if shared:
        raise pytest.UsageError(f"{len(shared)} node ids are shared by several tests, e.g. "
                                f"{shared[0]}")


@pytest.fixture
def celery_eager():
    """Tasks run in the test's process when published, also in the suite's Redis run: the
    test plays the worker (without it, a message would wait in Redis for a worker that the
    suite does not start)."""
    from innoportal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` (dev.py): a file's consecutive tests on one worker, in collection
    order (tests/scheduling.py)."""
    if config.getvalue("dist") == "loadscope":
        from tests.scheduling import FileRunScheduling

        return FileRunScheduling(config, log)
    return None
