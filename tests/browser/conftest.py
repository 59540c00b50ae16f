"""Real-browser tests: Playwright for Python driving Debian's Chromium (never a downloaded
browser) against the app served on loopback by pytest-django's live server.

Without Chromium the tests skip and say how to install it; with INNOPORTAL_REQUIRE_BROWSER=1
(set by .ci/run) a missing browser is a failure. A failing test leaves a screenshot of the page
in test-artifacts/."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p), None)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pass-for-tests"  # tests/factories.py



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        message = ("Chromium is not installed: the browser tests need Debian's package "
                   "(`sudo apt-get install chromium`), or set CHROMIUM to its path.")
        if os.environ.get("INNOPORTAL_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code. Only while the browser runs, so
    # nothing else (e.g. a `check --deploy` subprocess) inherits it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(user) -> a logged-in page (a fresh browser context per user)."""
    contexts = []

    def _open(user=None):
        context = browser.new_context(base_url=live_server.url, locale="nb-NO")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield _open
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}-{m}.png"),
                                full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def point_scheme(transactional_db):
    """The data migration's point scheme: another transactional test in the same worker may
    have flushed it (pytest-xdist), and every phase change schedules an indicator recompute."""
    from importlib import import_module

    from django.apps import apps

    import_module("gevinst.migrations.0003_point_scheme_standard_1").create(apps, None)
