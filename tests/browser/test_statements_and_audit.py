"""The statements and the audit page in a real browser: an organisation administrator edits
the accessibility statement, an anonymous visitor finds it from the footer and reads it, and
the administrator reads the change in the audit page on a 375 px phone screen — no sideways
scrolling of the page, and clean for axe-core (WCAG 2.1 A/AA)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_languages import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_edits_the_statement_and_a_visitor_reads_it(open_page, org_admin, home_org):
    page = open_page(org_admin)
    page.goto(f"/organisation/{home_org.org_number}/statements/accessibility/")
    page.get_by_role("textbox", name="Tekst").fill("Vi svarer innen tre dager.\n\n## Kontakt\n"
                                    "- <b>post@kommune.no</b>")
    page.get_by_role("button", name="Lagre erklæringen").click()
    expect(page.get_by_text("Erklæringen er lagret.")).to_be_visible()

    visitor = open_page()
    visitor.goto("/accounts/login/")
    visitor.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring").click()
    visitor.get_by_role("link", name=home_org.name).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tilgjengelighetserklæring")
    expect(visitor.get_by_text("Vi svarer innen tre dager.")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Kontakt")).to_be_visible()
    # The tags typed into the text are text, not markup.
    expect(visitor.get_by_role("listitem").filter(
        has_text="<b>post@kommune.no</b>")).to_be_visible()
    expect(visitor.locator(".statement-body b")).to_have_count(0)


def test_the_audit_page_on_a_phone(open_page, org_admin, home_org):
    page = open_page(org_admin, bypass_csp=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/organisation/{home_org.org_number}/units/")
    page.get_by_label("Navn").fill("Hjemmetjenesten med et langt navn som må brytes")
    page.get_by_role("button", name="Opprett enhet").click()
    page.goto(f"/organisation/{home_org.org_number}/audit/")
    expect(page.get_by_role("cell", name="Opprettet").first).to_be_visible()
    expect(page.get_by_text("Enhet: Hjemmetjenesten med et langt navn")).to_be_attached()
    overflow = page.evaluate("document.documentElement.scrollWidth"
                             " - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > 380).slice(0, 8).map(
        e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, wide
    assert axe_violations(page) == []
    page.get_by_label("Logg (valgfritt)").select_option("events")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("cell", name="Enhet opprettet")).to_be_visible()
