"""The browser suite's own guard rails: pages that report errors fail the test, and a machine
without Chromium skips the suite with the install hint (or fails when CI requires the browser)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import conftest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
def test_the_browser_starts(browser):
    """No database: the run below (and a quick check of a machine) needs only the browser."""
    assert browser.version


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_console_errors_uncaught_exceptions_and_csp_violations_are_collected(
        open_page, browser_errors, employee):
    page = open_page(employee)
    page.goto("/")
    page.evaluate("console.error('deliberate console error')")
    page.evaluate("setTimeout(() => { throw new Error('deliberate exception'); })")
    # An inline script, which the app's CSP forbids.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.inlineRan = true;';
                             document.body.append(s); }""")
    page.wait_for_timeout(200)
    collected = "\n".join(browser_errors.messages)
    assert not page.evaluate("window.inlineRan === true")
    assert "deliberate console error" in collected
    assert "deliberate exception" in collected
    assert "script-src" in collected  # the violation, reported by Chromium or by CSP_WATCH
    browser_errors.allow("deliberate|script-src")
    assert browser_errors.unexpected() == []


def test_without_chromium_the_suite_skips_and_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", None)
    monkeypatch.delenv("INNOPORTAL_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        conftest.require_chromium()
    monkeypatch.setenv("INNOPORTAL_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        conftest.require_chromium()


def test_a_run_on_a_machine_without_chromium_skips():
    """The whole wiring, in a pytest run whose PATH has no chromium (the CI failure is the same
    path with INNOPORTAL_REQUIRE_BROWSER, checked above without a second subprocess)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("CHROMIUM", "DATABASE_URL", "REDIS_URL", "INNOPORTAL_REQUIRE_BROWSER")}
    env["PATH"] = str(Path(sys.executable).parent)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-rsfE", "-q", "-p", "no:xdist",
         "tests/browser/test_harness.py::test_the_browser_starts"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert "apt-get install chromium" in output, output
    assert run.returncode == 0 and "1 skipped" in output, output
