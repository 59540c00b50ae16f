"""The notification centre, the preference page and the unsubscribe page in a real browser:
keyboard-usable, and no serious or critical axe-core (WCAG 2.1 AA) violations."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ideas import services as idea_services
from notifications.tokens import unsubscribe_token
from tests.consumers import run_consumers
from tests.ideas.factories import make_idea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[2] / "static/vendor/axe-core/axe.min.js").read_text()


def axe_violations(page) -> list[str]:
    # evaluate() runs through the DevTools protocol, not as a page script, so the CSP (no
    # inline scripts) does not stop the test from loading axe.
    page.evaluate(AXE)
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_centre_preferences_and_unsubscribe_pass_axe(open_page, employee, coordinator,
                                                     home_org):
    for n in range(2):
        idea = make_idea(employee, home_org, status="submitted", title=f"Idé {n}")
        idea_services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()  # the worker's part: the events become notices

    page = open_page(employee)
    page.goto("/notifications/")
    assert page.locator("ul.notice-list > li").count() == 2
    assert axe_violations(page) == []
    # Mark one read with the keyboard only.
    page.locator("ul.notice-list > li", has_text="Idé 1").get_by_role(
        "button", name="Merk som lest").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("header a.notice-link .notice-badge")).to_have_text("1")

    page.get_by_role("link", name="Varslingsvalg").first.click()
    page.get_by_label("Ukentlig sammendrag").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    assert page.get_by_label("Ukentlig sammendrag").is_checked()
    assert axe_violations(page) == []

    anonymous = open_page()
    anonymous.goto(f"/notifications/unsubscribe/{unsubscribe_token(employee)}/")
    assert axe_violations(anonymous) == []
    with anonymous.expect_navigation():
        anonymous.get_by_role("button", name="Ja, ikke send meg flere e-poster").click()
    expect(anonymous.get_by_text("Du får ikke lenger e-post")).to_be_visible()
    # Read from the database: the server process made the row after this test's user object
    # last looked (a miss is cached on the object).
    employee.refresh_from_db()
    assert type(employee).objects.get(pk=employee.pk).notification_preference \
        .email_frequency == "never"
