"""The browser tests check what a page shows with Playwright's waiting assertions
(`expect(locator).to_be_visible()`), never with `locator.is_visible()`, which answers at once:
right after a click that reloads the page it may still look at the old page (the idea flow and
the year freeze failed so under load)."""

from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def test_browser_tests_wait_for_what_they_check():
    found = [f"{path.name}:{number}" for path in sorted(BROWSER_TESTS.glob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if ".is_visible()" in line]
    assert not found, found
