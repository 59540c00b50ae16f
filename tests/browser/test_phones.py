"""Issue 16, phones and the header: with the demo data, every page a persona reaches from its
menu (and the first detail page of each kind linked from those pages) fits 375 px without
scrolling sideways, with zero serious or critical axe violations; the menu folds behind «Meny»
on a phone and works from the keyboard; at 1280 px the header is one row for every persona.

The pages are derived from what each persona's header links to, so a new menu item is measured
without touching this test. The demo loads once (it takes half a minute) and each persona gets
its own browser context; axe runs once per kind of page (the first persona to reach it), the
width check on every page for every persona."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from portal.models import User
from tests.browser.conftest import LONG_FIRST_NAME, LONG_LAST_NAME, width_problems
from tests.browser.test_accessibility import axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 375, 1280
# The demo's users, one per role (innoportal/management/commands/load_demo.py).
PERSONAS = ["ansatt", "koordinator", "prosjektleder", "leder", "admin", "nettverk",
            "analytiker"]
# Forms a persona opens from a button rather than the menu, measured as well.
FORMS = {"ansatt": ["/ideas/new/"]}
NOT_PAGES = re.compile(r"/(export|download|print|report)|\.(csv|xlsx|pdf|json)(\?|$)")


def persona(username) -> User:
    """The demo user with a long real-looking name, as real names get (the header's case)."""
    user = User.objects.get(username=username)
    user.first_name = LONG_FIRST_NAME
    user.last_name = LONG_LAST_NAME.format(username)
    user.save(update_fields=["first_name", "last_name"])
    return user


def _local_paths(page, selector) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not NOT_PAGES.search(h)]


def header_pages(page) -> list[str]:
    """Every page the header links to (the menu, «Mer», «Varsler», the user menu)."""
    return list(dict.fromkeys(_local_paths(page, "header a[href]")))


def detail_pages(page, seen_views: set[str]) -> list[str]:
    """The first link on the page to each kind of detail page (a view with an id) not seen."""
    found = []
    for path in _local_paths(page, "main a[href]"):
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            continue
        if match.kwargs and match.view_name not in seen_views:
            seen_views.add(match.view_name)
            found.append(path)
    return found


def visit(page, path, axed: set[str]) -> list[str]:
    response = page.goto(path)
    if response.status != 200:
        return [f"{path}: status {response.status}"]
    problems = width_problems(page, PHONE)
    view = resolve(urlsplit(path).path).view_name
    if view not in axed:
        axed.add(view)
        problems += axe_problems(page, f"{path} at {PHONE}px")
    return problems


def menu_folds_on_a_phone(page) -> list[str]:
    """On a phone the menu is folded behind «Meny», and opens and closes from the keyboard."""
    page.goto("/")
    menu, toggle = page.locator("#site-menu"), page.get_by_role("button", name="Meny")
    assert toggle.get_attribute("aria-expanded") == "false"
    expect(menu).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    expect(menu.get_by_role("navigation", name="Hovedmeny")).to_be_visible()
    problems = width_problems(page, PHONE) + axe_problems(page, f"open menu at {PHONE}px")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.evaluate("e => e === document.activeElement")
    return problems


def test_every_page_fits_a_phone_and_the_header_is_one_row(open_page, demo):
    problems, axed = [], set()
    for username in PERSONAS:
        page = open_page(persona(username), bypass_csp=True)
        page.set_viewport_size({"width": PHONE, "height": 800})
        found = menu_folds_on_a_phone(page)
        pages, seen_views = header_pages(page), set()
        for path in [*pages, *FORMS.get(username, [])]:
            found += visit(page, path, axed)
            if path in pages:
                pages += [d for d in detail_pages(page, seen_views) if d not in pages]
        assert len(pages) > 5, (username, pages)
        found += header_is_one_row(page)
        problems += [f"{username}: {p}" for p in found]
    assert not problems, "\n".join(problems)


def header_is_one_row(page) -> list[str]:
    """At 1280 px the header is one row: its items share a line, «Meny» is gone."""
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto("/")
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    # One row: every item of the header's row overlaps every other vertically, and the
    # header is no taller than its tallest item and the padding around it.
    boxes = page.eval_on_selector_all(
        ".site-logo, .site-nav > ul > li, .site-tools > *",
        "els => els.filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();"
        " return [r.top, r.bottom, e.textContent.trim().slice(0, 30)]; })")
    assert len(boxes) >= 4, boxes
    assert max(top for top, _b, _t in boxes) < min(bottom for _t, bottom, _x in boxes), boxes
    header = page.locator(".site-header__inner").bounding_box()["height"]
    tallest = max(bottom - top for top, bottom, _t in boxes)
    assert header <= tallest + 2 * 16 + 1, (header, boxes)
    problems = width_problems(page, DESKTOP)
    # «Mer» and the user menu open over the page without breaking the row or axe.
    for summary in page.locator("header details > summary").all():
        summary.click()
        problems += axe_problems(page, f"header menu «{summary.inner_text()}» at {DESKTOP}px")
    page.keyboard.press("Escape")
    assert page.locator("header details[open]").count() == 0
    return problems


def test_the_menu_stays_open_without_scripts(browser, live_server, org_admin):
    """Without JavaScript there is no «Meny» button, and the whole menu shows and fits."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": PHONE, "height": 800})
    try:
        from tests.browser.conftest import _session_cookie

        context.add_cookies([_session_cookie(org_admin, live_server.url)])
        page = context.new_page()
        page.goto("/projects/")
        expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_visible()
        expect(page.get_by_role("button", name="Meny")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE + 1
    finally:
        context.close()
