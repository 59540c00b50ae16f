"""One migrated test database per run, copied to each pytest-xdist worker.

pytest-django has every worker migrate its own test database: the migrations (rendering some
6 700 historical models) cost each worker seconds of CPU, and PostgreSQL as much again. Here
the first worker to need a database migrates a template under a file lock in the directory
the workers share (their base temporary directory's parent); each worker then takes a copy:
PostgreSQL clones it with CREATE DATABASE … TEMPLATE (Django's clone_test_db), SQLite in
memory restores a file the first worker backed its database up to. The copies hold what the
migrations made, the data migrations' rows included.

`--reuse-db` keeps the template (migrated to the current migrations as pytest-django does) and
the copies, `--create-db` makes the template afresh; without `--reuse-db` the controller drops
the template when the run ends. Without xdist, with --nomigrations, several databases or where
file locks are missing (Windows), pytest-django's own fixture does as before."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from portal.runtime import settle_worker

try:
    import fcntl
except ImportError:  # Windows: no flock; pytest-django's per-worker migrations
    fcntl = None

STATE = "innoportal-test-db.json"


@receiver(connection_created)
def _readers_take_no_table_locks(sender, connection, **kwargs):
    """SQLite's in-memory test database is one shared cache for every connection of the
    process, and a shared cache locks whole tables: while the live server's thread reads a
    table, another thread's UPDATE of it fails at once with "database table is locked" (no
    busy timeout applies), and the other way round. A live-server test whose worker thread
    wrote a job's progress while the page polled it failed so, now and then.
    `read_uncommitted` makes this process's readers take no table locks, as readers on
    PostgreSQL take none; writers still exclude each other. Only for the in-memory shared
    cache, where a test's threads are all this process's own."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.connection.execute("PRAGMA read_uncommitted = 1")


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on `path` (released by the OS also if the worker dies)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point_to(connection, name: str) -> None:
    """Use database `name` from now on, as create_test_db does for the test database."""
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _make_template(connection, state: dict, shared: Path, verbosity: int, keepdb: bool) -> None:
    """Migrate the template (this worker's database, for SQLite in memory) and say so in
    `state`; PostgreSQL's template is named as the test database of a run without xdist."""
    state["template"] = connection.creation.create_test_db(
        verbosity=verbosity, autoclobber=True, serialize=False, keepdb=keepdb)
    if connection.vendor == "sqlite":
        state["file"] = str(shared / "innoportal-test-db.sqlite3")
        Path(state["file"]).unlink(missing_ok=True)
        target = sqlite3.connect(state["file"])
        connection.connection.backup(target)
        target.close()


def _copy_template(connection, state: dict, worker: str, verbosity: int) -> None:
    """Give this worker its copy of the template and point the connection to it."""
    if connection.vendor == "sqlite":
        if connection.settings_dict["NAME"] != state["template"]:  # not the template's maker
            _point_to(connection, state["template"])
            connection.ensure_connection()
            source = sqlite3.connect(f"file:{state['file']}?mode=ro", uri=True)
            source.backup(connection.connection)
            source.close()
        return
    _point_to(connection, state["template"])
    # A fresh copy also under --reuse-db: the template may have been migrated further.
    connection.creation.clone_test_db(suffix=worker, verbosity=verbosity, keepdb=False)
    _point_to(connection, connection.creation.get_test_db_clone_settings(worker)["NAME"])
    connection.ensure_connection()


def _supported(request, connection, use_migrations: bool) -> bool:
    from django.conf import settings

    return (fcntl is not None and use_migrations and list(settings.DATABASES) == ["default"]
            and connection.vendor in ("postgresql", "sqlite")
            and (connection.vendor == "postgresql"
                 or connection.creation.is_in_memory_db(connection.creation._get_test_db_name()))
            and hasattr(request.config, "workerinput"))


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker,
                    django_db_use_migrations, django_db_keepdb, django_db_createdb,
                    django_db_modify_db_settings):
    """pytest-django's fixture of the same name, with the template made once per run."""
    from django.db import connection
    from pytest_django.fixtures import _get_databases_for_setup

    if not _supported(request, connection, django_db_use_migrations):
        request.getfixturevalue("django_db_setup")  # pytest-django's own
        yield
        return
    worker = request.config.workerinput["workerid"]
    verbosity = request.config.option.verbose
    keepdb = django_db_keepdb and not django_db_createdb
    shared = request.getfixturevalue("tmp_path_factory").getbasetemp().parent
    test_name = connection.settings_dict["TEST"].get("NAME")
    if connection.vendor == "postgresql":  # pytest-django added the worker's suffix
        connection.settings_dict["TEST"]["NAME"] = test_name.removesuffix(f"_{worker}")
    old_name = connection.settings_dict["NAME"]
    with django_db_blocker.unblock(), _locked(shared / "innoportal-test-db.lock"):
        state_file = shared / STATE
        if state_file.exists():
            state = json.loads(state_file.read_text())
        else:
            state = {"drop": not django_db_keepdb}
            _make_template(connection, state, shared, verbosity, keepdb)
            state_file.write_text(json.dumps(state))
        _copy_template(connection, state, worker, verbosity)
    connection.settings_dict["TEST"]["NAME"] = test_name
    _aliases, serialized = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        if "default" in serialized:
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    settle_worker()  # the set-up's objects (migration state, serialized data) as well

    yield

    if not django_db_keepdb:
        with django_db_blocker.unblock():
            connection.creation.destroy_test_db(old_name, verbosity, keepdb=False)


def pytest_sessionfinish(session):
    """The controller drops the run's template (unless --reuse-db) once the workers are done."""
    if hasattr(session.config, "workerinput") or not session.config.pluginmanager.has_plugin(
            "dsession"):
        return
    state_file = session.config._tmp_path_factory.getbasetemp() / STATE
    if not state_file.exists():
        return
    state = json.loads(state_file.read_text())
    state_file.unlink()
    if "file" in state:
        Path(state["file"]).unlink(missing_ok=True)
    elif state["drop"]:
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            connection.creation._destroy_test_db(state["template"], verbosity=0)
