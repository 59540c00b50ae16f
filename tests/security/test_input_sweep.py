"""Malformed values in every parameter every route reads: never a 500.

The parameters are found, not listed: each route of the route inventory
(tests/portal/test_route_inventory.py) is requested once as each persona — GET with a probe
query string, and for the site's pages a POST with a probe form body — while every read of a
QueryDict (`request.GET`, `request.POST`, DRF's `query_params`, django-filter's forms, Django
forms) is recorded. Then every recorded name gets each value of BAD_VALUES, alone and all
names at once, and the answer must not be a 5xx (nor an exception). A new view or filter that
reads a parameter is therefore swept without touching this file.

The API's JSON bodies are fuzzed from the schema (tests/portal/test_api_schema_fuzz.py); its
query parameters are swept here too, since DRF's `query_params` is the same QueryDict. Every
request runs in a savepoint that is rolled back, so the world stays as built.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode

from tests.portal.route_matrix import MATRIX, PERSONAS
from tests.portal.route_world import build_route_worlds
from tests.portal.test_route_inventory import inventory, is_api, url_for
from tests.worlds import shared_personas

# Non-ASCII digits (str.isdigit() and int() accept some), numbers past any column, signs,
# exponents, NaN, NUL (PostgreSQL cannot hold it), a long string and deep JSON brackets.
BAD_VALUES = ["²", "١٢", "9" * 5000, "99999999999999999999", "-1", "1e5", "NaN", "\x00",
              "x" * 5000, "[" * 3000]
PROBE = "_probe"

# The two organisations' worlds of the route inventory, built once for the module
# (tests/worlds.py).
globals().update(shared_personas(build=build_route_worlds))

_recorded: list[set[str]] = []


def _recording(method):
    def read(self, key, *args, **kwargs):
        if _recorded and isinstance(key, str):
            _recorded[-1].add(key)
        return method(self, key, *args, **kwargs)
    return read


def record_reads(patch: pytest.MonkeyPatch) -> None:
    """From now on (until `patch` is undone), every QueryDict read inside `with reads() as
    names:` adds the name to `names`."""
    for name in ("get", "getlist", "__getitem__", "__contains__", "pop"):
        patch.setattr(QueryDict, name, _recording(getattr(MultiValueDict, name)
                                                  if name != "pop" else QueryDict.pop))


@contextlib.contextmanager
def reads() -> Iterator[set[str]]:
    names: set[str] = set()
    _recorded.append(names)
    try:
        yield names
    finally:
        _recorded.pop()
        names.discard(PROBE)


def _send(client: Client, method: str, url: str, data: dict[str, str]) -> str:
    """The status of one request, rolled back; an exception is reported as its name."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        try:
            if method == "get":
                response = client.get(url, data)
            else:  # a browser's form body
                response = client.post(url, urlencode(data),
                                       content_type="application/x-www-form-urlencoded")
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            result = str(response.status_code)
        except Exception as error:  # noqa: BLE001 - a crash is the finding
            result = f"{type(error).__name__}: {str(error)[:160]}"
        transaction.set_rollback(True)
    client.cookies = cookies
    return result


def _with_query(url: str) -> tuple[str, dict[str, str]]:
    """The matrix's URL split into path and its own query (kept in every request)."""
    path, _sep, query = url.partition("?")
    return path, dict(QueryDict(query).items())


def _clients(users: dict) -> dict[str, Client]:
    clients = {}
    for persona, user in users.items():
        clients[persona] = Client()
        if user is not None:
            clients[persona].force_login(user)
    return clients


# Values each name gets alone (one per way a number parses wrongly); every value of BAD_VALUES
# goes to all names at once. Alone, no parameter hides behind another that a view checks first.
ALONE_VALUES = ["²", "١٢", "9" * 5000, "\x00"]
# DRF's renderer choice: the same framework code behind every API route, so swept on one.
ONCE_NAMES = {"format"}


@dataclasses.dataclass(frozen=True)
class Reader:
    """A request that read parameters: who sent it where, and the names it read."""
    persona: str
    key: str
    method: str
    path: str
    base: dict[str, str]
    names: frozenset[str]


def discover(users: dict, targets: dict) -> list[Reader]:
    """Every route as every persona, with a probe parameter, recording the names read. A
    (route, method, names) that another persona with the same matrix outcome already had is
    left out: the same access, the same code."""
    clients = _clients(users)
    readers: list[Reader] = []
    done: set[tuple] = set()
    once_done: set[str] = set()
    for key, (pattern, _methods) in sorted(inventory().items()):
        entry = MATRIX[key]
        path, base = _with_query(url_for(key, pattern, targets))
        api = is_api(pattern)
        for method in ("get", "post"):
            if method not in entry.outcomes or (method == "post" and api):
                continue
            for persona, client in clients.items():
                with reads() as names:
                    _send(client, method, path, {**base, PROBE: "1"})
                names -= set(base) | once_done
                once_done |= names & ONCE_NAMES
                cell = entry.outcomes[method][PERSONAS.index(persona)]
                if not names or (key, method, cell, frozenset(names)) in done:
                    continue
                done.add((key, method, cell, frozenset(names)))
                readers.append(Reader(persona, key, method, path, base, frozenset(names)))
    return readers


@pytest.fixture(scope="module")
def readers(_module_world, django_db_blocker) -> list[Reader]:
    """The discovery, once for the module: its requests are each rolled back, and the logins
    with them (the tests log in again), so the world stays as built."""
    with (django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch,
          override_settings(MEDIA_ROOT=_module_world["media_root"]),
          translation.override(settings.LANGUAGE_CODE), transaction.atomic()):
        record_reads(patch)
        world = copy.deepcopy(_module_world["world"])  # a login sets the user's last_login
        found = discover(world["users"], world["home"])
        transaction.set_rollback(True)
    return found


def _cases(names: frozenset[str], values: list[str]) -> list[tuple[list[str], str]]:
    """Each name with each value of ALONE_VALUES, and every value of `values` for all names
    at once (for a single name: the values it did not get alone)."""
    cases = [([name], value) for name in sorted(names) for value in ALONE_VALUES
             if value in values]
    if len(names) > 1:
        return cases + [(sorted(names), value) for value in values]
    return cases + [([name], value) for name in names for value in values
                    if value not in ALONE_VALUES]


def sweep(users: dict, readers: list[Reader], values=BAD_VALUES) -> list[str]:
    """Every bad value in every name each reader read, as that reader's persona."""
    clients = _clients(users)
    failures: list[str] = []
    for reader in readers:
        client = clients[reader.persona]
        for chosen, value in _cases(reader.names, values):
            data = {**reader.base, **dict.fromkeys(chosen, value)}
            result = _send(client, reader.method, reader.path, data)
            if not result.isdigit() or result.startswith("5"):
                failures.append(f"{reader.persona} {reader.method.upper()} {reader.path} "
                                f"{chosen}={value[:12]!r}: {result}")
    return failures


def test_malformed_parameters_never_answer_500(world, readers):
    failures = sweep(world["users"], readers)
    assert not failures, f"{len(failures)} server errors:\n  " + "\n  ".join(failures)


def test_the_sweep_finds_the_parameters_views_read(readers):
    """Guard for the discovery: the recorded names must include parameters read by plain
    views, filter sets, forms and the API, or the sweep proves nothing."""
    found: dict[str, set[str]] = {}
    for reader in readers:
        found.setdefault(f"{reader.method.upper()} {reader.key}", set()).update(reader.names)
    read = {name for names in found.values() for name in names}
    assert {"exclude", "title", "year", "organisation", "project", "page", "reviewer",
            "quarter", "unread"} <= read, read
    assert any(key.startswith("GET api-") for key in found)
    assert any(key.startswith("POST ") for key in found)


def test_huge_ids_in_the_path_are_no_route(world):
    """Every numeric path segment of every route replaced by 5 000 digits: 404 (the URL
    patterns bound ids to 19 digits, portal.params.ID_PATTERN), never a lookup's ValueError."""
    client = Client()
    client.force_login(world["users"]["manager"])
    failures = []
    for key, (pattern, _methods) in sorted(inventory().items()):
        entry = MATRIX[key]
        path, base = _with_query(url_for(key, pattern, world["home"]))
        segments = path.split("/")
        for index, segment in enumerate(segments):
            if not segment.isascii() or not segment.isdigit():
                continue
            huge = "/".join([*segments[:index], "9" * 5000, *segments[index + 1:]])
            for method in ("get", "post"):
                if method in entry.outcomes:
                    result = _send(client, method, huge, base if method == "get" else {})
                    if not result.isdigit() or result.startswith("5"):
                        failures.append(f"{method.upper()} {key} segment {index}: {result}")
    assert not failures, "\n  ".join(failures)
