"""Worlds built once per test module and rolled back after it (issue 14: the suite's speed).

A permission matrix or a sweep asks hundreds of questions of one world. Building that world
for every question cost most of the suite's time; building it once is safe when each test
still starts from the same rows and the same objects:

- the world is written inside a transaction that the module's last test leaves rolled back,
  so nothing of it outlives the module (pytest-django's `django_db_setup` database stays
  as migrated for every other module);
- each test runs in pytest-django's usual atomic block, which nests inside that transaction
  as a savepoint and is rolled back after the test, so a write one test makes is gone before
  the next;
- the consumers run once the world is built (portal.consumers: notices, indicator marks), as
  they would after its writers' commits, so a test that runs them handles only its own rows;
- each test gets a deep copy of the world's objects, so a service that changes an instance in
  memory (an idea's status, a user's cached roles) cannot leak into the next test.

Use it in a module whose tests use the `db` fixture (not `transaction=True`, which flushes
the database, and not the browser tests, whose live server reads through another
connection):

    globals().update(shared_personas(build=my_world))

`my_world(personas)` gets the personas (the same people as tests/conftest.py's fixtures) and
returns a dict; the module's `world` fixture then returns a fresh copy of it, and `home_org`,
`coordinator`, `personas`, … return the world's own rows instead of creating new ones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import override_settings

from tests.consumers import run_consumers
from tests.personas import make_personas

PERSONA_NAMES = ("home_org", "other_org", "employee", "coordinator", "project_leader",
                 "manager", "org_admin", "outsider", "network_analyst", "national_analyst")


def module_world(build: Callable[[], dict]):
    """A module-scoped fixture: `build()` runs once, in a transaction rolled back after the
    module's last test."""

    @pytest.fixture(scope="module")
    def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
        # Files the world uploads stay for the whole module: `media_root` below points every
        # test at the same folder.
        media = tmp_path_factory.mktemp("media")
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
            outer = transaction.atomic()
            outer.__enter__()
            try:
                built = build()
                # As the writers' commits leave it: the consumers have run (notices, indicator
                # marks), so each test's own run of them handles what that test wrote, not the
                # whole world's backlog again (rolled back after every test).
                run_consumers()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        yield {**built, "media_root": media}
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    return _module_world


def shared_personas(build: Callable[[dict], dict] | None = None,
                    items: tuple[str, ...] = ()) -> dict:
    """The fixtures a module binds (see the module docstring): the module-scoped world, a
    per-test copy of it, each persona fixture answering from that copy, and one fixture per
    name in `items` answering with that entry of the world (`project` -> world["project"])."""

    def everything() -> dict:
        people = make_personas()
        return {"people": people, "world": build(people) if build else {}}

    def _fresh(db, _module_world):
        # One deep copy per test keeps shared references shared (world["author"] and the
        # personas stay one object each), and never hands out the module's own instances.
        return copy.deepcopy(_module_world)

    def world(_fresh):
        return _fresh["world"]

    def personas(_fresh):
        people = _fresh["people"]
        return {"employee": people["employee"], "coordinator": people["coordinator"],
                "project_leader": people["project_leader"], "manager": people["manager"],
                "admin": people["org_admin"], "outsider": people["outsider"],
                "anonymous": None}

    def media_root(settings, _module_world):
        settings.MEDIA_ROOT = _module_world["media_root"]
        return settings.MEDIA_ROOT

    fixtures = {"_module_world": module_world(everything), "_fresh": pytest.fixture(_fresh),
                "media_root": pytest.fixture(autouse=True)(media_root),
                "world": pytest.fixture(world), "personas": pytest.fixture(personas)}
    for name in PERSONA_NAMES:
        fixtures[name] = pytest.fixture(name=name)(_entry("people", name))
    for name in items:
        fixtures[name] = pytest.fixture(name=name)(_entry("world", name))
    return fixtures


def _entry(part: str, name: str):
    def fixture(_fresh):
        return _fresh[part][name]
    fixture.__name__ = f"shared_{name}"
    return fixture
