"""Notice e-mails: digests group a user's events into one mail, a second run sends nothing,
each user's frequency is respected, a failed send loses nothing; and the unsubscribe link
works without login but cannot be forged or turned against another user."""

from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ideas import services as idea_services
from notifications import mail, tasks
from notifications.models import Notification, NotificationPreference
from notifications.services import preference_set
from notifications.tokens import SALT, unsubscribe_token, user_for_token
from tests.consumers import run_consumers
from tests.ideas.factories import make_idea
from tests.worlds import shared_personas


def _world(people: dict) -> dict:
    """Three notices for the employee about two ideas, and one for the manager: built once
    for the module, each test starting from them (tests/worlds.py)."""
    employee, coordinator = people["employee"], people["coordinator"]
    manager, home_org = people["manager"], people["home_org"]
    first = make_idea(employee, home_org, status="submitted", title="Sensor om natten")
    second = make_idea(employee, home_org, status="submitted", title="Digitalt tilsyn")
    idea_services.idea_follow(actor=manager, idea=second)
    idea_services.idea_start_review(actor=coordinator, idea=first)
    idea_services.idea_start_review(actor=coordinator, idea=second)
    idea_services.idea_park(actor=coordinator, idea=first)
    run_consumers()
    assert Notification.objects.filter(user=employee).count() == 3
    return {"three_events": (first, second)}


globals().update(shared_personas(build=_world, items=("three_events",)))


def mails_to(outbox, user):
    return [m for m in outbox if m.to == [user.email]]


def test_the_daily_digest_groups_a_users_events_into_one_mail(
        three_events, employee, manager, mailoutbox):
    result = tasks.notifications_send_daily()
    assert result == {"mails": 2, "notices": 4, "failed": 0}
    [digest] = mails_to(mailoutbox, employee)
    assert digest.subject == "Innoportal: 3 nye varsler"
    # Grouped by idea: each title once, with its events under it.
    assert digest.body.count("Sensor om natten") == 1
    assert digest.body.count("Digitalt tilsyn") == 1
    assert "Status endret fra «Til vurdering» til «Parkert»." in digest.body
    html = digest.alternatives[0][0]
    assert html.count("<h2>") == 2 and "Sensor om natten" in html
    assert len(mails_to(mailoutbox, manager)) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_run_goes_through_every_batch_of_users(three_events, employee, manager,
                                                 mailoutbox, monkeypatch):
    monkeypatch.setattr(mail, "USER_BATCH", 1)
    assert tasks.notifications_send_daily()["mails"] == 2
    assert mails_to(mailoutbox, employee) and mails_to(mailoutbox, manager)


def test_running_the_digest_twice_sends_nothing_more(three_events, mailoutbox):
    tasks.notifications_send_daily()
    sent = len(mailoutbox)
    assert tasks.notifications_send_daily() == {"mails": 0, "notices": 0, "failed": 0}
    assert len(mailoutbox) == sent


def test_a_new_event_after_a_digest_comes_in_the_next_one(
        three_events, employee, coordinator, mailoutbox):
    first, _second = three_events
    tasks.notifications_send_daily()
    mailoutbox.clear()
    idea_services.idea_resume(actor=coordinator, idea=first)
    run_consumers()
    tasks.notifications_send_daily()
    [digest] = mails_to(mailoutbox, employee)
    assert digest.subject == "Innoportal: 1 nytt varsel"
    assert "Digitalt tilsyn" not in digest.body


def test_each_frequency_sends_only_to_its_own_users(
        three_events, employee, manager, mailoutbox):
    preference_set(user=employee, frequency="weekly")
    preference_set(user=manager, frequency="immediate")
    assert tasks.notifications_send_daily()["mails"] == 0
    assert tasks.notifications_send_immediate()["mails"] == 1
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert tasks.notifications_send_weekly() == {"mails": 1, "notices": 3, "failed": 0}
    assert mails_to(mailoutbox, employee)


def test_never_means_never_and_the_notices_stay_in_the_centre(
        three_events, employee, manager, mailoutbox):
    preference_set(user=employee, frequency="never")
    for frequency in ("immediate", "daily", "weekly"):
        mail.notifications_email(frequency)
    assert not mails_to(mailoutbox, employee)
    assert Notification.objects.filter(user=employee, read_at__isnull=True).count() == 3


def test_immediate_mail_after_commit_goes_only_to_those_who_chose_it(
        employee, coordinator, manager, home_org, mailoutbox,
        django_capture_on_commit_callbacks, celery_eager):
    # The module's world has notices of its own: as before the world, none is waiting.
    Notification.objects.update(emailed_at=timezone.now())
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.idea_follow(actor=manager, idea=idea)
    preference_set(user=manager, frequency="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_start_review(actor=coordinator, idea=idea)
    assert [m.to for m in mailoutbox] == [[manager.email]]  # the employee waits for 07:00
    assert mailoutbox[0].subject == f"Innoportal: nytt om «{idea.title}»"


def test_users_without_e_mail_or_inactive_get_no_mail(three_events, employee, manager,
                                                      mailoutbox):
    employee.email = ""
    employee.save()
    manager.is_active = False
    manager.save()
    assert tasks.notifications_send_daily()["mails"] == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_a_failed_send_gives_the_claim_back_and_the_next_run_sends(
        three_events, employee, manager, mailoutbox):
    real_send = mail.EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == [employee.email]:
            raise ConnectionError("smtp down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky):
        result = tasks.notifications_send_daily()
    # The employee's mail failed (given back), the manager's went out anyway.
    assert result == {"mails": 1, "notices": 1, "failed": 1}
    assert not Notification.objects.filter(user=employee, emailed_at__isnull=False).exists()
    assert not Notification.objects.filter(email_claim__isnull=False, emailed_at__isnull=True)
    assert tasks.notifications_send_daily() == {"mails": 1, "notices": 3, "failed": 0}
    assert len(mails_to(mailoutbox, employee)) == 1


def test_notices_claimed_by_another_run_are_not_sent_again(three_events, employee,
                                                           mailoutbox):
    """Two workers at once: what the other run claimed first is not in this run's mail."""
    import uuid

    from django.utils import timezone

    taken = Notification.objects.filter(user=employee).order_by("pk")[:2]
    Notification.objects.filter(pk__in=[n.pk for n in taken]).update(
        emailed_at=timezone.now(), email_claim=uuid.uuid4())
    mail.send_to_user(employee, "daily")
    [digest] = mails_to(mailoutbox, employee)
    assert digest.subject == "Innoportal: 1 nytt varsel"


def test_old_notices_are_not_mailed_when_e_mail_is_turned_back_on(
        three_events, employee, mailoutbox):
    from django.utils import timezone

    Notification.objects.filter(user=employee).update(
        created_at=timezone.now() - mail.MAX_AGE - mail.timedelta(days=1))
    tasks.notifications_send_daily()
    assert not mails_to(mailoutbox, employee)


def test_a_notice_of_an_idea_made_confidential_is_not_mailed_to_an_outsider(
        employee, coordinator, outsider, home_org, other_org, mailoutbox):
    from ideas.models import Idea
    from tests.factories import NetworkFactory

    NetworkFactory(name="Fjellregionen").organisations.set([home_org, other_org])
    idea = make_idea(employee, home_org, status="submitted", visibility="network",
                     title="Patentsøknad")
    idea_services.idea_follow(actor=outsider, idea=idea)
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    assert Notification.objects.filter(user=outsider).exists()
    Idea.objects.filter(pk=idea.pk).update(is_confidential=True, visibility="organisation")
    tasks.notifications_send_daily()
    assert not mails_to(mailoutbox, outsider)
    assert all("Patentsøknad" not in m.body for m in mails_to(mailoutbox, outsider))


def test_digests_are_on_the_beat_schedule():
    from django.conf import settings

    schedule = {v["task"]: v["schedule"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    daily = schedule["notifications.tasks.notifications_send_daily"]
    weekly = schedule["notifications.tasks.notifications_send_weekly"]
    assert (daily.hour, daily.minute) == ({7}, {0})
    assert (weekly.hour, weekly.minute, weekly.day_of_week) == ({7}, {0}, {1})
    assert settings.CELERY_TIMEZONE == "Europe/Oslo"
    assert "notifications.tasks.notifications_send_immediate" in schedule


# --- unsubscribe ----------------------------------------------------------------------------

def test_every_mail_has_a_working_unsubscribe_link_and_header(three_events, employee,
                                                             mailoutbox):
    tasks.notifications_send_daily()
    [digest] = mails_to(mailoutbox, employee)
    url = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in digest.body and url in digest.alternatives[0][0]
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)
    # GET asks and changes nothing (mail scanners prefetch links) ...
    page = anonymous.get("/" + path)
    assert page.status_code == 200 and "Vil du slutte" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=employee).exists()
    # ... POST (the button, or the mail client's one-click) unsubscribes, without login.
    done = anonymous.post("/" + path)
    assert done.status_code == 200
    assert NotificationPreference.objects.get(user=employee).email_frequency == "never"


def test_a_forged_token_is_refused_and_changes_nothing(client, employee):
    token = unsubscribe_token(employee)
    payload, signature = token.rsplit(":", 1)
    forged = f"{payload}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for bad in (forged, "not-a-token", token + "x"):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "Ugyldig lenke" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_token_of_user_a_cannot_unsubscribe_user_b(client, employee, manager):
    preference_set(user=manager, frequency="immediate")
    token = unsubscribe_token(employee)
    # Swapping in B's id keeps A's signature: refused.
    payload = signing.b64_encode(b'{"u":%d}' % manager.pk).decode()
    swapped = payload + token[token.index(":"):]
    assert user_for_token(swapped) is None
    assert client.post(reverse("notifications:unsubscribe", args=[swapped])).status_code == 400
    # A's own token only ever touches A.
    client.post(reverse("notifications:unsubscribe", args=[token]))
    assert NotificationPreference.objects.get(user=manager).email_frequency == "immediate"
    assert NotificationPreference.objects.get(user=employee).email_frequency == "never"


def test_a_value_signed_for_something_else_is_not_an_unsubscribe_token(employee):
    """Same secret key, another salt (e.g. another signed link of the site): refused."""
    assert user_for_token(signing.dumps({"u": employee.pk})) is None
    assert user_for_token(signing.dumps({"u": employee.pk}, salt=SALT + ".other")) is None
    assert user_for_token(signing.dumps({"u": str(employee.pk)}, salt=SALT)) is None
    assert user_for_token(unsubscribe_token(employee)) == employee


def test_the_command_sends_a_frequency_now(three_events, employee, mailoutbox):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    err = io.StringIO()
    call_command("notifications_send", "daily", stderr=err)
    assert "daily: 2 mails with 4 notices, 0 failed." in err.getvalue()
    assert mails_to(mailoutbox, employee)
    with pytest.raises(CommandError):
        call_command("notifications_send", "never")


def test_on_a_worker_a_failed_send_retries_the_task(three_events, employee, mailoutbox):
    from celery.exceptions import Retry

    task = tasks.notifications_send_daily
    with mock.patch.object(mail.EmailMultiAlternatives, "send",
                           side_effect=ConnectionError("smtp down")), \
            mock.patch.object(task, "retry", side_effect=Retry()) as retry:
        task.push_request(called_directly=False, is_eager=False, retries=1)
        try:
            with pytest.raises(Retry):
                task.run()
        finally:
            task.pop_request()
    assert retry.call_args.kwargs == {"countdown": 240}
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_a_digest_is_written_in_each_recipients_language(three_events, employee, manager,
                                                         mailoutbox):
    employee.language = "nn"
    employee.save()
    # Whatever language the worker (or the request that triggers a send) has active.
    with translation.override("en"):
        tasks.notifications_send_daily()
    [nynorsk] = mails_to(mailoutbox, employee)
    assert nynorsk.subject == "Innoportal: 3 nye varsel"
    assert "Status endra frå «Til vurdering» til «Parkert»." in nynorsk.body
    assert "Sjå alle varsla i Innoportal" in nynorsk.alternatives[0][0]
    assert "Ikkje fleire e-postar:" in nynorsk.body
    assert "Status endret fra" not in nynorsk.body
    [bokmal] = mails_to(mailoutbox, manager)  # no choice: bokmål
    assert bokmal.subject == "Innoportal: 1 nytt varsel"
    assert "Se alle varsler i Innoportal" in bokmal.alternatives[0][0]
