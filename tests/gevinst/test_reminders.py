"""Measurement reminders: one per benefit and due date, one e-mail, safe to run twice. The
mail goes through the notification centre like every other notice (the owner's e-mail choice
and language), not a mail path of its own."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from gevinst import services, tasks
from gevinst.models import BenefitEvent, BenefitPlan, BenefitReminder
from notifications import mail as notice_mail
from notifications.models import Notification
from notifications.services import preference_set
from tests.consumers import run_consumers
from tests.gevinst.conftest import benefit_fields


def send_immediate() -> int:
    """The consumers turn the reminder events into notices; the immediate mailer sends them."""
    run_consumers()
    return notice_mail.notifications_email("immediate")["mails"]


@pytest.fixture
def scheduled(project, manager, project_leader):
    manager.email = "leder@example.no"
    manager.save()
    benefit = services.benefit_create(actor=project_leader, project=project,
                                      **benefit_fields(owner=manager))
    services.benefit_plan_save(actor=project_leader, project=project, interval_months=3,
                               first_due_on=datetime.date(2025, 1, 31))
    return benefit


def test_due_dates_follow_the_schedule(scheduled):
    plan = BenefitPlan.objects.get(project=scheduled.project)
    assert services.due_date_on(plan, datetime.date(2025, 1, 30)) is None
    assert services.due_date_on(plan, datetime.date(2025, 1, 31)) == datetime.date(2025, 1, 31)
    assert services.due_date_on(plan, datetime.date(2025, 4, 29)) == datetime.date(2025, 1, 31)
    assert services.due_date_on(plan, datetime.date(2025, 4, 30)) == datetime.date(2025, 4, 30)
    assert services.due_date_on(plan, datetime.date(2026, 2, 1)) == datetime.date(2026, 1, 31)
    assert services.next_due_date(plan, datetime.date(2025, 2, 1)) == datetime.date(2025, 4, 30)


def test_task_twice_gives_one_reminder_and_one_mail(scheduled, manager, monkeypatch):
    preference_set(user=manager, frequency="immediate")
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2025, 2, 10))
    assert tasks.benefit_reminders_send() == 1
    assert send_immediate() == 1
    assert tasks.benefit_reminders_send() == 0
    assert send_immediate() == 0
    reminder = BenefitReminder.objects.get()
    assert (reminder.benefit, reminder.user, reminder.due_on) == (
        scheduled, manager, datetime.date(2025, 1, 31))
    assert reminder.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["leder@example.no"]
    assert scheduled.title in mail.outbox[0].subject
    assert f"/benefits/{scheduled.pk}/" in mail.outbox[0].body
    assert "skulle gevinsten måles 31.01.2025" in mail.outbox[0].body
    assert BenefitEvent.objects.filter(kind="reminder_created").count() == 1


def test_the_reminder_follows_the_owners_email_choice(scheduled, manager):
    """Default (daily digest): not mailed at once, but in the daily digest; "never": not at
    all, the reminder stays in the notification centre."""
    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    assert send_immediate() == 0
    assert notice_mail.notifications_email("daily")["mails"] == 1
    [digest] = mail.outbox
    assert scheduled.title in digest.body and "/benefits/" in digest.body
    assert BenefitReminder.objects.get().emailed_at is not None

    preference_set(user=manager, frequency="never")
    services.benefit_reminders_create(today=datetime.date(2025, 5, 2))
    run_consumers()
    for frequency in ("immediate", "daily", "weekly"):
        assert notice_mail.notifications_email(frequency)["mails"] == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=manager, kind="reminder_created").count() == 2
    assert BenefitReminder.objects.filter(emailed_at__isnull=True).count() == 1


def test_gevinst_has_no_mail_path_of_its_own():
    """One notice pipeline: the benefit app writes reminder events and never sends mail."""
    import inspect

    from gevinst import services as module

    source = inspect.getsource(module)
    assert "send_mail" not in source and "EmailMessage" not in source
    assert not hasattr(module, "benefit_reminders_email")


def test_no_reminder_when_measured_since_the_due_date(scheduled, manager):
    services.measurement_create(actor=manager, benefit=scheduled,
                                measured_on=datetime.date(2025, 2, 1), value="30")
    assert services.benefit_reminders_create(today=datetime.date(2025, 2, 10)) == []
    # The next due date has no measurement: reminded then.
    created = services.benefit_reminders_create(today=datetime.date(2025, 5, 2))
    assert [r.due_on for r in created] == [datetime.date(2025, 4, 30)]


def test_measurement_closes_the_reminder(scheduled, manager):
    preference_set(user=manager, frequency="immediate")
    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    services.measurement_create(actor=manager, benefit=scheduled,
                                measured_on=datetime.date(2025, 2, 9), value="30")
    assert BenefitReminder.objects.get().done_at is not None
    assert send_immediate() == 0
    assert mail.outbox == []


def test_benefits_without_owner_or_closed_are_not_reminded(scheduled, manager):
    services.benefit_update(actor=manager, benefit=scheduled, expected_version=1,
                            status="realised")
    assert services.benefit_reminders_create(today=datetime.date(2025, 2, 10)) == []


def test_a_failed_mail_is_sent_by_the_retry(scheduled, manager, monkeypatch):
    preference_set(user=manager, frequency="immediate")
    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notice_mail.EmailMultiAlternatives, "send", broken)
    assert send_immediate() == 0
    assert BenefitReminder.objects.get().emailed_at is None
    monkeypatch.undo()
    assert send_immediate() == 1
    assert len(mail.outbox) == 1
    assert BenefitReminder.objects.get().emailed_at is not None


def test_reminder_task_is_in_the_beat_schedule():
    from django.conf import settings

    from innoportal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["benefit-reminders"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == tasks.benefit_reminders_send.name


def test_open_reminder_shows_on_the_benefit_page_until_measured(client, scheduled, manager):
    from django.urls import reverse

    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    client.force_login(manager)
    url = reverse("gevinst:benefit", args=[scheduled.pk])
    assert "Måling forfalt 31.01.2025" in client.get(url).content.decode()
    client.post(reverse("gevinst:measurement-add", args=[scheduled.pk]),
                {"measured_on": "2025-02-05", "value": "33"})
    assert "Måling forfalt" not in client.get(url).content.decode()


@pytest.mark.parametrize(("language", "subject", "greeting"), [
    ("nn", "Tid for å måle gevinsten: Færre nattlige tilsyn", "Helsing Innoportal"),
    ("", "Måling av gevinst forfaller: Færre nattlige tilsyn", "Hilsen Innoportal"),
])
def test_the_reminder_mail_is_in_the_owners_language(scheduled, manager, language, subject,
                                                     greeting):
    manager.language = language
    manager.save()
    preference_set(user=manager, frequency="immediate")
    services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    with translation.override("en"):
        assert send_immediate() == 1
    [reminder] = mail.outbox
    assert reminder.subject == subject
    assert greeting in reminder.body
