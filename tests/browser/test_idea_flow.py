"""Issue 3, done when: the employee submits an idea with an attachment in the browser; the
coordinator sees it in the queue, assigns a reviewer, scores it and approves it; a project
exists, and the submitter got a notification."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ideas.models import Idea
from projects.models import Project
from tests.consumers import run_consumers
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def test_an_idea_goes_from_the_employee_to_an_approved_project(open_page, employee,
                                                                coordinator, home_org, tmp_path):
    UnitFactory(organisation=home_org, name="Hjemmetjenesten")
    attachment = tmp_path / "skisse.pdf"
    attachment.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    page = open_page(employee)
    page.goto("/ideas/new/")
    page.get_by_label("Tittel").fill("Nattilsyn med sensor i stedet for fysisk runde")
    page.get_by_label("Behov").fill("Nattevakten vekker brukerne når de går runder.")
    page.get_by_label("Enhet").select_option(label="Hjemmetjenesten")
    page.locator("details.enrich summary").click()
    page.set_input_files("input[name=attachment]", str(attachment))
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_url(re.compile(r"/ideas/\d+/$"))
    expect(page.get_by_text("skisse.pdf")).to_be_visible()
    idea = Idea.objects.get(title__startswith="Nattilsyn")
    assert idea.status == "submitted" and idea.attachments.count() == 1

    page = open_page(coordinator)
    page.goto("/ideas/queue/")
    page.get_by_role("link", name=idea.title).click()
    # Each form posts and reloads the page: wait for it, or the next step may act on (or
    # navigate away from) the page being replaced.
    with page.expect_navigation():
        page.get_by_role("button", name="Ta til vurdering").click()
    page.get_by_label("Vurderer").select_option(label=str(coordinator))
    with page.expect_navigation():
        page.get_by_role("button", name="Tildel").click()
    page.goto("/ideas/queue/?queue=assigned")
    page.get_by_role("link", name=idea.title).click()
    for select in page.locator("form[action$='/score/'] select").all():
        select.select_option("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre vurdering").click()
    expect(page.locator(".score-table").get_by_text("4,0").first).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Godkjenn og opprett prosjekt").click()
    idea.refresh_from_db()
    assert idea.status == "approved"
    assert Project.objects.filter(initiative=idea.initiative).exists()

    # The submitter follows her idea: the approval is waiting for her in the notification
    # centre (the header shows the unread count), and in the morning's daily digest.
    run_consumers()  # the worker's part: the events become notices
    page = open_page(employee)
    page.goto("/ideas/")
    header_link = page.locator("header a.notice-link")
    assert header_link.locator(".notice-badge").inner_text() == "2"
    header_link.click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    notices = page.locator("ul.notice-list")
    expect(notices.get_by_role("link", name=idea.title).first).to_be_visible()
    assert "Godkjent" in notices.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Merk alle som lest").click()
    assert page.locator("header .notice-badge").count() == 0

    from notifications.tasks import notifications_send_daily

    notifications_send_daily()  # what Celery beat runs at 07:00
    assert any(idea.title in m.body for m in mail.outbox if employee.email in m.to)
