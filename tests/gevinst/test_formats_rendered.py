"""Dates and numbers as people read them on the pages and in the mails, in Norwegian and in
English (issue 16): 06.12.2026-style dates in both, 1 234,5 in Norwegian and 1,234.5 in
English, never the other language's numbers on a page (the payback time read «1,1 år» in the
English interface) and never an ISO date (reminder mails said 2025-01-31)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from gevinst import services
from notifications import mail as notice_mail
from notifications.services import preference_set
from projects.services import project_item_add
from tests.consumers import run_consumers
from tests.gevinst.conftest import benefit_fields, make_project

NBSP = "\u00a0"
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
# Where ISO dates belong: the JSON a chart reads, <time datetime>, <input type="date">.
MACHINE = re.compile(r"<script[^>]*>.*?</script>|datetime=\"[^\"]*\"|<input[^>]*>", re.S)


def iso_date_shown(html: str):
    return ISO_DATE.search(MACHINE.sub("", html))


@pytest.fixture
def portfolio(home_org, manager):
    """A payback of 1,1 years: 177 320 kr one-off against 5 hours a week × 620 kr × 52 =
    161 200 kr a year (the latest measurement, 35 hours; 36,5 on 1 June 2024)."""
    project = make_project(home_org, title="Nattilsyn")
    project_item_add(actor=manager, project=project, kind="costs", data=dict(
        category="investment", recurrence="one_off", description="Sensorer",
        amount_nok=Decimal("177320"), year=2024))
    benefit = services.benefit_create(actor=manager, project=project, owner=manager,
                                      **benefit_fields())
    services.measurement_create(actor=manager, benefit=benefit, measured_on="2024-06-01",
                                value="36,5")
    services.measurement_create(actor=manager, benefit=benefit, measured_on="2024-09-01",
                                value="35")
    return benefit


def _page(client, user, language, url) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    # Collapse the layout's white space, not the non-breaking spaces inside the numbers.
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


@pytest.mark.parametrize(("language", "figures", "foreign"), [
    ("nb", [f"161{NBSP}200", f"177{NBSP}320", "1,1"], ["161,200", "1.1"]),
    ("en", ["161,200", "177,320", "1.1"], [f"161{NBSP}200", "1,1"]),
])
def test_the_benefit_overview_writes_the_languages_numbers(client, manager, portfolio,
                                                           language, figures, foreign):
    html = _page(client, manager, language, reverse("gevinst:overview"))
    for figure in figures:
        assert figure in html, (language, figure)
    for figure in foreign:
        assert figure not in html, (language, figure)


@pytest.mark.parametrize(("language", "value", "formula"), [
    ("nb", "36,5", f"161{NBSP}200"),
    ("en", "36.5", "161,200"),
])
def test_the_benefit_page_shows_short_dates_and_the_languages_numbers(
        client, manager, portfolio, language, value, formula):
    html = _page(client, manager, language, reverse("gevinst:benefit", args=[portfolio.pk]))
    # Baseline 15.01.2024, measurements 01.06.2024 and 01.09.2024, target 01.06.2025.
    for day in ("15.01.2024", "01.06.2024", "01.09.2024", "01.06.2025"):
        assert day in html, (language, day)
    assert not re.search(r"\b1\.6\.2024\b", html)  # the old j.n.Y pattern
    assert f">{value}<" in html and formula in html
    assert not iso_date_shown(html), iso_date_shown(html)
    # The chart's axis: each ISO day (for sorting) with the label the page writes.
    assert '"2024-06-01": "01.06.2024"' in html


@pytest.mark.parametrize(("language", "day"), [("nb", "31.01.2025"), ("en", "31.01.2025")])
def test_the_reminder_mail_writes_the_due_date_as_a_short_date(
        project, manager, project_leader, language, day):
    manager.email, manager.language = "leder@example.no", language
    manager.save()
    services.benefit_create(actor=project_leader, project=project,
                            **benefit_fields(owner=manager))
    services.benefit_plan_save(actor=project_leader, project=project, interval_months=3,
                               first_due_on=datetime.date(2025, 1, 31))
    preference_set(user=manager, frequency="immediate")
    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    run_consumers()
    assert notice_mail.notifications_email("immediate")["mails"] == 1
    [message] = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert day in text
        assert not ISO_DATE.search(text), ISO_DATE.search(text)
        # The time of the notice: 06.12.2026 14:05, never 6.12.2026.
        assert re.search(r"\(\d\d\.\d\d\.20\d\d \d\d:\d\d\)", text), text


@pytest.mark.parametrize(("language", "amount"), [("nb", f"45{NBSP}001"), ("en", "45,001")])
def test_the_project_pages_content_tables_write_amounts_and_dates_as_the_language_does(
        client, manager, home_org, language, amount):
    project = make_project(home_org, title="Nattilsyn")
    project_item_add(actor=manager, project=project, kind="funding", data=dict(
        source="Statsforvalteren", funding_type="grant", amount_nok=Decimal("45000.50")))
    html = _page(client, manager, language, reverse("projects:detail", args=[project.pk]))
    assert amount in html


@pytest.mark.parametrize("language", ["nb", "en"])
def test_my_data_shows_dates_as_people_read_them(client, manager, portfolio, language):
    """The page of «Mine data» showed the JSON download's ISO timestamps."""
    html = _page(client, manager, language, reverse("my-data"))
    assert re.search(r"\b\d\d\.\d\d\.20\d\d \d\d:\d\d\b", html)
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", html)
    assert not iso_date_shown(html), iso_date_shown(html)
