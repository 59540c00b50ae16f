"""The route inventory: every URL pattern of the site and the API is listed in the permission
matrix (tests/portal/route_matrix.py) with what each persona gets, and the site answers so.

- A route without a matrix entry, or an entry whose route is gone, fails
  `test_every_route_is_in_the_matrix` with the list of both.
- `test_routes_answer_as_the_matrix_says[persona]` requests every route with every method of
  its entry as that persona, at a real object of the home organisation, and collects every
  mismatch into one failure message (the world is built once for the module, not once per
  cell: ~2 000 requests in well under a minute on SQLite).
- Every write the matrix does not mark as changing data ("+…") must leave every table of the
  project's apps as it was; every write runs in a savepoint that is rolled back, so one cell
  never sees another's effects.
- `test_other_municipalitys_objects_are_as_closed_as_ours` asks the home admin for the other
  municipality's objects: they must answer as the matrix says for the outsider asking for
  ours (the same rules seen from the other side).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal import data_version
from tests.factories import UserFactory
from tests.portal.route_matrix import (
    ADMIN_PREFIX,
    EXCLUDED_PREFIXES,
    MATRIX,
    PERSONAS,
    WRITE_METHODS,
)
from tests.portal.route_world import build_route_worlds
from tests.project_apps import project_app_labels
from tests.worlds import shared_personas

# --- the resolver walk ----------------------------------------------------------------------

API_METHODS = ("get", "post", "put", "patch", "delete")


def _methods(callback) -> tuple[str, ...]:
    """The HTTP methods a route serves: a DRF viewset's actions, an APIView's handlers; plain
    Django views are asked GET and POST (a GET-only page must answer POST with 405)."""
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(m for m in API_METHODS if m in actions)
    view_class = getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "permission_classes"):
        return tuple(m for m in API_METHODS if hasattr(view_class, m))
    return ("get", "post")


def walk(resolver=None, prefix: str = "", namespace: str | None = None):
    """(pattern, key, methods) of every route; key is the URL name (with namespaces) or,
    for an unnamed route, its pattern. A route shadowed by an earlier one with the same
    name and pattern (Django's own accounts/login/) is listed once."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            key = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield pattern, key or pattern, _methods(entry.callback)


def inventory() -> dict[str, tuple[str, tuple[str, ...]]]:
    """key → (pattern, methods), without the django-admin internals and static files."""
    routes: dict[str, tuple[str, tuple[str, ...]]] = {}
    for pattern, key, methods in walk():
        plain = pattern.replace("^", "")
        if plain.startswith(ADMIN_PREFIX) or plain.startswith(EXCLUDED_PREFIXES):
            continue
        if key in routes and routes[key][0] != pattern:
            raise AssertionError(f"two routes are named {key!r}: {routes[key][0]} and "
                                 f"{pattern}; name one of them differently")
        routes.setdefault(key, (pattern, methods))
    return routes


def test_every_route_is_in_the_matrix():
    routes = inventory()
    missing = sorted(set(routes) - set(MATRIX))
    gone = sorted(set(MATRIX) - set(routes))
    unlisted_methods = sorted(
        f"{key}: {method.upper()}" for key, (_pattern, methods) in routes.items()
        if key in MATRIX for method in methods if method not in MATRIX[key].outcomes)
    problems = []
    if missing:
        problems.append("Routes missing from tests/portal/route_matrix.py MATRIX:\n  "
                        + "\n  ".join(f"{k}  ({routes[k][0]})" for k in missing))
    if gone:
        problems.append("MATRIX entries whose route no longer exists:\n  " + "\n  ".join(gone))
    if unlisted_methods:
        problems.append("Methods the route serves without a MATRIX outcome:\n  "
                        + "\n  ".join(unlisted_methods))
    assert not problems, "\n".join(problems)


def test_the_walk_sees_every_kind_of_route():
    """Guard for the walk itself: it must reach nested includes, DRF routers (regex
    patterns, viewset actions) and namespaced app URLs, or the inventory proves nothing."""
    routes = inventory()
    assert routes["ideas:comment-edit"][0] == "ideas/<int:pk>/comments/<int:comment_pk>/edit/"
    assert routes["project-risks-detail"][1] == ("get", "put", "patch", "delete")
    assert routes["api-indicator-jobs"][1] == ("post",)
    assert routes["healthz"][1] == ("get", "post")
    assert "django-admin/" not in str(routes)


# --- the world --------------------------------------------------------------------------------

# The two organisations' worlds, built once for the module (tests/worlds.py): each test runs
# in a savepoint rolled back after it, and every request of a probe in its own.
globals().update(shared_personas(build=build_route_worlds))


# --- fingerprints -------------------------------------------------------------------------------

# Read bookkeeping that a page view may write by design, and framework tables. The security
# log is written by every refused write (403), by design: `ask` checks that instead.
NOT_FINGERPRINTED = {"projects.projectvisit", "portal.securityevent"}
# Columns that change in place. Any other change of a row writes an event row in the same
# transaction (docs/architecture.md: every service writes its event), which the row counts catch.
IN_PLACE = {"updated_at", "version", "deleted_at", "revoked_at", "read_at", "done_at",
            "is_active", "last_used_at"}


def _fingerprint_sql(tables: frozenset[str] | None = None) -> str:
    """One query: per table of the project's apps (or of those among `tables`), its row count
    and an aggregate of every in-place column. Hundreds of thousands of single queries would
    make the matrix slow."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in project_app_labels() or meta.label_lower in NOT_FINGERPRINTED:
            continue
        if tables is not None and meta.db_table not in tables:
            continue
        table = quote(meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        for f in meta.concrete_fields:
            if f.attname not in IN_PLACE:
                continue
            column = quote(f.column)
            if f.get_internal_type() == "BooleanField":
                parts.append(f"(SELECT COUNT(CASE WHEN {column} THEN 1 END) FROM {table})")
            elif f.attname == "version":
                parts.append(f"(SELECT SUM({column}) FROM {table})")
            else:
                parts.append(f"(SELECT COUNT({column}) FROM {table})")
                parts.append(f"(SELECT MAX({column}) FROM {table})")
    return "SELECT " + ", ".join(parts or ["1"])


@dataclasses.dataclass(frozen=True)
class Fingerprints:
    """The fingerprint queries of a probe. With a data version (PostgreSQL) a request that
    left the version as it was wrote nothing to a versioned table, so only the few tables
    without the version's trigger (portal.data_version.unversioned) need a look then, and the
    whole fingerprint is taken only when the version moved: that skips two whole-database
    queries for most of the matrix's write cells."""

    every_table: str
    unversioned: str | None

    @property
    def quick(self) -> str:
        """What a write is compared on when the version stayed (or there is none)."""
        return self.unversioned or self.every_table

    @classmethod
    def build(cls) -> Fingerprints:
        if not data_version.supported():
            return cls(_fingerprint_sql(), None)
        left_out = data_version.unversioned() - {data_version.TABLE}
        return cls(_fingerprint_sql(), _fingerprint_sql(left_out))


def fingerprint(sql: str) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _refusals() -> int:
    from portal.models import SecurityEvent, SecurityEventKind

    return SecurityEvent.objects.filter(kind=SecurityEventKind.WRITE_REFUSED).count()


# --- asking ----------------------------------------------------------------------------------

LOGIN_PATH = reverse("login") if settings.LOGIN_URL == "login" else settings.LOGIN_URL


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(f"/{ADMIN_PREFIX}login/"):
            return "admin-login"
        if location.split("?")[0] in (LOGIN_PATH, settings.LOGIN_URL):
            return "login"
    return str(response.status_code)


def ask(client: Client, method: str, url: str, *, api: bool,
        sql: Fingerprints) -> tuple[str, str]:
    """(outcome, detail) of one request, rolled back afterwards, cookies included (a logout
    or a language switch must not carry over to the next request). A write that changed
    the database is reported as "+<status>", and so is a read that made a new data version
    (portal.data_version, PostgreSQL): reading must write nothing that cached pages depend
    on, or every read would empty the cache of rendered pages.

    A write's change is found by fingerprints (`Fingerprints`): before and after the request,
    or, with a data version, the unversioned tables' before and after, and the whole
    database's only if the version moved — "after" inside the request's savepoint, "before"
    once the savepoint's rollback has restored it."""
    writes = method in WRITE_METHODS
    before = fingerprint(sql.quick) if writes else None
    after = None
    refusals = _refusals() if writes else None
    detail = ""
    changed = False
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        # The mark cleared: the world's own writes set it long before this request.
        version = data_version.current(clear_mark=True)
        try:
            if api:
                response = getattr(client, method)(url, data=json.dumps({}) if method != "get"
                                                   else None,
                                                   content_type="application/json")
            else:
                response = getattr(client, method)(url)
        except Exception as error:  # noqa: BLE001 - a crash is a finding, reported below
            transaction.set_rollback(True)
            client.cookies = cookies
            return "500", f"{type(error).__name__}: {error}"[:300]
        if getattr(response, "streaming", False):
            # Read the whole download inside the savepoint (the test client closes it at the
            # end): a streamed export holds a server-side cursor that the rollback below would
            # destroy, and closing it later, when the generator is collected, aborts the
            # test's transaction.
            b"".join(response.streaming_content)
        result = outcome(response)
        moved = version is not None and data_version.current() != version
        if not writes:
            changed = moved
        elif moved:
            after = fingerprint(sql.every_table)
        else:
            changed = fingerprint(sql.quick) != before
        if refusals is not None and response.status_code == 403 and _refusals() == refusals:
            # Every refused write is in the security log (portal.middleware).
            result = f"{result} (no security event)"
        if result[0] in "45" and not getattr(response, "streaming", False):
            detail = (detail + " " + response.content[:160].decode(errors="replace")).strip()
        transaction.set_rollback(True)
    client.cookies = cookies
    if after is not None:
        changed = fingerprint(sql.every_table) != after
    if changed:
        result = f"+{result}"
    return result, detail


def is_api(pattern: str) -> bool:
    return pattern.startswith("api/v1/")


def url_for(key: str, pattern: str, targets: dict) -> str:
    entry = MATRIX[key]
    if entry.target not in targets:
        raise AssertionError(f"{key}: unknown target {entry.target!r}")
    name = key if key != pattern else None
    if name is None:
        return "/" + re.sub(r"\^|\$", "", pattern)
    params = {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)}
    url = reverse(name, kwargs={k: v for k, v in targets[entry.target].items() if k in params})
    if entry.query:
        url += "?" + entry.query.format(**targets[entry.target])
    return url


def probe(user, routes, targets, expected_column: str):
    """Every route and method as `user`; the mismatches against the matrix column."""
    client = Client()
    if user is not None:
        client.force_login(user)
    sql = Fingerprints.build()
    mismatches = []
    for key, (pattern, _methods) in sorted(routes.items()):
        entry = MATRIX[key]
        url = url_for(key, pattern, targets)
        for method, cells in entry.outcomes.items():
            expected = cells[PERSONAS.index(expected_column)]
            actual, detail = ask(client, method, url, api=is_api(pattern), sql=sql)
            if actual != expected:
                mismatches.append(f"{key} {method.upper()} {url}: expected {expected}, got "
                                  f"{actual} {detail}".rstrip())
    return mismatches


@pytest.mark.parametrize("persona", PERSONAS)
def test_routes_answer_as_the_matrix_says(world, persona):
    routes = inventory()
    mismatches = probe(world["users"][persona], routes, world["home"], persona)
    assert not mismatches, (f"{len(mismatches)} routes answer {persona} otherwise than "
                            "tests/portal/route_matrix.py says:\n  " + "\n  ".join(mismatches))


def test_other_municipalitys_objects_are_as_closed_as_ours(world):
    """The home admin asks for the other municipality's objects and gets what the outsider
    (an admin there) gets for ours: nothing of another organisation opens by symmetry
    breaking, e.g. an access check that compares with the wrong organisation."""
    routes = {k: v for k, v in inventory().items() if MATRIX[k].target}
    mismatches = probe(world["users"]["admin"], routes, world["other"], "outsider")
    assert not mismatches, "\n  ".join(["Cross-organisation probes:", *mismatches])


# --- django-admin --------------------------------------------------------------------------

ADMIN_SAMPLES = [f"/{ADMIN_PREFIX}", f"/{ADMIN_PREFIX}portal/organisation/",
                 f"/{ADMIN_PREFIX}ideas/idea/", f"/{ADMIN_PREFIX}gevinst/benefit/"]


@pytest.mark.parametrize("url", ADMIN_SAMPLES)
def test_django_admin_is_for_staff_only(world, url):
    """The django-admin prefix is one matrix entry, "admin only": every persona (the
    organisation admin too: that role is not site staff) is sent to the admin login; a
    superuser gets the page."""
    for persona, user in world["users"].items():
        client = Client()
        if user is not None:
            client.force_login(user)
        assert outcome(client.get(url)) == "admin-login", persona
    operator = UserFactory(username="drift", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    assert client.get(url).status_code == 200


# --- the probe's own eye ---------------------------------------------------------------------

def _write_answered(persona: str, expected: str) -> tuple[str, str, str]:
    """(key, pattern, method) of the first write the matrix answers `persona` with `expected`."""
    for key, (pattern, _methods) in sorted(inventory().items()):
        for method, cells in MATRIX[key].outcomes.items():
            if method in WRITE_METHODS and cells[PERSONAS.index(persona)] == expected:
                return key, pattern, method
    raise AssertionError(f"no write answered {expected} to {persona} in the matrix")


@pytest.mark.parametrize("answer", ["403", "405"])
@pytest.mark.parametrize("table", ["versioned", "without the version"])
def test_a_probe_sees_every_row_a_write_wrote(world, monkeypatch, table, answer):
    """A write that the matrix says changes nothing but writes one row is reported as a change
    ("+403", "+405"), whether the row's table raises the data version or is one of the few
    that do not (the login throttle's), and whether the version moved anyway (a refused
    write's security event) or not (405): the probe's shortcut — the whole-database
    fingerprint only when the version moved — must leave neither unseen."""
    from django.utils import timezone

    from ideas.models import Tag
    from portal.middleware import RefusedWriteMiddleware
    from portal.models import LoginFailure

    real = RefusedWriteMiddleware.__call__

    def and_one_more_row(self, request):
        if table == "versioned":
            Tag.objects.create(name="probe")
        else:
            LoginFailure.objects.create(account="probe", created_at=timezone.now())
        return real(self, request)

    key, pattern, method = _write_answered("employee", answer)
    client = Client()
    client.force_login(world["users"]["employee"])
    url = url_for(key, pattern, world["home"])
    sql = Fingerprints.build()
    assert ask(client, method, url, api=is_api(pattern), sql=sql)[0] == answer
    monkeypatch.setattr(RefusedWriteMiddleware, "__call__", and_one_more_row)
    assert ask(client, method, url, api=is_api(pattern), sql=sql)[0] == f"+{answer}"
