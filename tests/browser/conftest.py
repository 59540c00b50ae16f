"""Real-browser tests: Playwright for Python driving Debian's Chromium (never a downloaded
browser) against the app served on loopback by pytest-django's live server.

Without Chromium the tests skip and say how to install it; with INNOPORTAL_REQUIRE_BROWSER=1
(set by .ci/run) a missing browser is a failure. A failing test leaves a screenshot of the page
in test-artifacts/.

Every page a test opens is watched: a console error (which is also how Chromium reports a CSP
violation or a failed static file), an uncaught exception or a `securitypolicyviolation` event
fails the test, with the messages in the failure."""

import functools
import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p), None)
# A name as long as real Norwegian names get; the browser personas carry it (open_page), each
# kept unique by the factory's sequence so a choice by name still picks the right person.
LONG_FIRST_NAME, LONG_LAST_NAME = "Anne-Kristine Marie", "Haugland Østensjø-{}"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
INSTALL_HINT = ("Chromium is not installed: the browser tests need Debian's package "
                "(`sudo apt-get install chromium`), or set CHROMIUM to its path.")
# Reports CSP violations as console errors even where Chromium would not log them itself (e.g.
# a blocked eval in a library): an init script runs before the page's own scripts, outside CSP.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
                + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""
# What sticks out past the right edge of the window: elements whose box ends beyond it, or
# that overflow their own box visibly. Whatever sits in a box that scrolls or clips (a
# table in its .table-wrap) is left out: it scrolls inside the page, not the page itself.
STICKING_OUT = """() => {
  // An absolutely positioned element escapes a scrolling box that is not positioned itself.
  const clipped = e => { if (['absolute', 'fixed'].includes(getComputedStyle(e).position))
                           return false;
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  return [...document.querySelectorAll('body *')]
    .filter(e => (e.getBoundingClientRect().right > window.innerWidth + 1
                  || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX
                     === 'visible' && e.clientWidth > 0) && !clipped(e)).slice(-8)
    .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`
              + ` ${e.scrollWidth}/${e.clientWidth} «${(e.textContent || '').trim()
              .slice(0, 40)}»`);
}"""


def width_problems(page, width: int) -> list[str]:
    """[] when the page fits `width` without scrolling sideways; else its width and the
    elements that stick out. Measured once the resize reached the page and it has settled;
    one pixel is allowed, as scrollWidth rounds a sub-pixel layout up."""
    page.wait_for_function(f"window.innerWidth === {width}")
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width + 1:
        return []
    return [f"{page.url} is {scroll_width}px wide at {width}px "
            f"(innerWidth {page.evaluate('window.innerWidth')}): "
            + "; ".join(page.evaluate(STICKING_OUT))]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def require_chromium() -> str:
    """The browser's path; without one, skip with the install hint (fail in CI)."""
    if CHROMIUM is None:
        if os.environ.get("INNOPORTAL_REQUIRE_BROWSER"):
            pytest.fail(INSTALL_HINT, pytrace=False)
        pytest.skip(INSTALL_HINT)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the run (each test still opens its own contexts): starting and closing
    it for each module cost about 1.5 s a module."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code. Only while the browser runs:
    # the browser tests run last on their worker (tests/conftest.py sorts them so), or on the
    # browser lane (tests/scheduling.py), where only transactional tests and tests without a
    # database follow; the tests that start a Django subprocess leave it out of its environment.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class BrowserErrors:
    """What the pages said went wrong: console errors, uncaught exceptions, CSP violations."""

    def __init__(self):
        self.messages: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Expect an error matching the regex (e.g. the 403 a test provokes on purpose)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        def console(msg):
            if msg.type != "error" or _is_document_status(msg, page):
                return
            self.messages.append(f"console error on {page.url}: {msg.text} ({_location(msg)})")

        page.on("console", console)
        page.on("pageerror", lambda error: self.messages.append(
            f"uncaught exception on {page.url}: {error}"))

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p in self.allowed)]


DOCUMENT_4XX = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def _is_document_status(msg, page) -> bool:
    """The page itself answered 4xx (a form re-rendered with errors is a 400): the tests
    check those statuses; a 5xx, or a failed script, style sheet or htmx request, still counts."""
    url = (msg.location or {}).get("url", "")
    return (DOCUMENT_4XX.match(msg.text) is not None
            and url.split("#")[0] == page.url.split("#")[0])


def _location(msg) -> str:
    where = msg.location or {}
    return f"{where.get('url', '')}:{where.get('lineNumber', '')}"


def _session_cookie(user, url: str) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": url}


@pytest.fixture
def browser_errors():
    return BrowserErrors()


@pytest.fixture
def open_page(browser, live_server, request, browser_errors):
    """open_page(user) -> a logged-in page (a fresh browser context per user).

    bypass_csp=True only for injecting test tooling (axe-core) that the page's CSP would
    block; the app's own scripts are still checked under the real CSP in every other test."""
    contexts = []

    def _open(user=None, *, bypass_csp=False, password=None):
        """With a password the user logs in through the login form; without one the session
        cookie is set directly (as Django's test client does), which keeps the suite fast."""
        context = browser.new_context(base_url=live_server.url, locale="nb-NO",
                                      bypass_csp=bypass_csp, accept_downloads=True)
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_WATCH)
        context.on("page", browser_errors.watch)  # also the pages opened by new_page()
        contexts.append(context)
        if user is not None and user.last_name.startswith("Bruker"):
            # The factory's short names hide a header that a real, long name pushes past 375 px
            # (it failed only once the sequence reached four digits): every page is measured
            # with a long one.
            user.first_name = LONG_FIRST_NAME
            user.last_name = LONG_LAST_NAME.format(user.last_name)
            user.save(update_fields=["first_name", "last_name"])
        if user is not None and password is None:
            context.add_cookies([_session_cookie(user, live_server.url)])
        page = context.new_page()
        if user is not None and password is not None:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield _open
    for context in contexts:  # let events still in flight reach the handlers
        for page in context.pages:
            page.wait_for_timeout(50)
    errors = browser_errors.unexpected()
    report = getattr(request.node, "report_call", None)
    if (report is not None and report.failed) or errors:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}-{m}.png"),
                                full_page=True)
    for context in contexts:
        context.close()
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture(autouse=True)
def point_scheme(request):
    """The data migration's point scheme: another transactional test in the same worker may
    have flushed it (pytest-xdist), and every phase change schedules an indicator recompute.
    Tests without the database (the harness's own) skip it, and so the database set-up."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.contrib.contenttypes.models import ContentType

    # A flush by another transactional test recreates the content types with new ids; the
    # audit trail (django-auditlog) must not write a cached, deleted one.
    ContentType.objects.clear_cache()

    import_module("gevinst.migrations.0003_point_scheme_standard_1").create(
        _apps_at_point_scheme_migration(), None)


@functools.cache
def _apps_at_point_scheme_migration():
    """The historical models the data migration was written for (the point scheme has moved
    to the indicators app since), as migrate gives them to it."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    return loader.project_state(("gevinst", "0003_point_scheme_standard_1")).apps


# The schema (on SQLite: an attached in-memory database) that keeps a copy of the demo's rows.
DEMO_COPY = "demo_snapshot"


@pytest.fixture(scope="session")
def _demo_copy():
    """Whether this run (this xdist worker) has copied the demo's rows yet."""
    return {"taken": False}


@pytest.fixture
def demo(transactional_db, point_scheme, _demo_copy):
    """The demo data (`manage.py load_demo`, indicators recomputed), committed for the live
    server. Loading it takes ~10 s, so the first test to ask loads it and keeps a copy of every
    row in another schema; a later test (after the flush that follows every transactional
    test) gets the same rows back from that copy in a fraction of a second. Either way the test
    starts from the demo alone, and its own writes are flushed after it as usual."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    tables = _demo_tables()
    with connection.cursor() as cursor:
        if not _demo_copy["taken"]:
            from django.core.management import call_command
            from django.utils import timezone

            from indicators import services as indicator_services

            call_command("load_demo", stdout=StringIO())
            indicator_services.indicators_recompute(year=timezone.localdate().year)
            if connection.vendor == "sqlite":
                cursor.execute(f"ATTACH DATABASE ':memory:' AS {DEMO_COPY}")
            else:
                cursor.execute(f"DROP SCHEMA IF EXISTS {DEMO_COPY} CASCADE")
                cursor.execute(f"CREATE SCHEMA {DEMO_COPY}")
            for table, columns in tables.items():
                cursor.execute(f"CREATE TABLE {DEMO_COPY}.{table} AS SELECT {columns} "
                               f"FROM {table}")
            _demo_copy["taken"] = True
            return
        with transaction.atomic():  # foreign keys are checked at the commit
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            for table, columns in tables.items():
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} "
                               f"FROM {DEMO_COPY}.{table}")
    ContentType.objects.clear_cache()  # the copy's content types have the demo's ids


def _demo_tables() -> dict[str, str]:
    """Each table of the project's models, with its columns that take a value (a generated
    column computes its own)."""
    from django.apps import apps
    from django.db import connection

    quote, existing = connection.ops.quote_name, set(connection.introspection.table_names())
    return {quote(model._meta.db_table): ", ".join(
                quote(f.column) for f in model._meta.local_concrete_fields if not f.generated)
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
            and model._meta.db_table in existing}
