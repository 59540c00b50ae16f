"""Sending notices by e-mail: right away, or as a daily or weekly digest.

Each run claims a user's unsent notices with one compare-and-swap UPDATE (emailed_at IS NULL)
stamped with a claim id of its own, then reads back exactly the rows it won. Two runs (a
retry, the beat schedule overlapping a manual run, two workers) therefore never send the same
event twice. If the mail cannot be sent the claim is given back, so the next run sends it."""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gevinst.models import BenefitReminder
from notifications.models import (
    DEFAULT_FREQUENCY,
    EmailFrequency,
    Notification,
    NotificationPreference,
)
from notifications.selectors import (
    describe,
    notifications_for_display,
    notifications_visible_to,
    reminder_subject,
)
from notifications.tokens import unsubscribe_token
from portal.languages import language_for
from portal.models import User

logger = logging.getLogger(__name__)

# Notices older than this are not e-mailed any more (they stay in the centre): a user who
# turns e-mail on again gets news, not a backlog. Longer than the weekly digest's week.
MAX_AGE = timedelta(days=14)
REMINDER = "reminder_created"
# Users read per query; a run goes through all of them, batch after batch.
USER_BATCH = 500


def recipients_for(frequency: str, *, user_ids: list[int] | None = None, now=None,
                   after: int = 0) -> list[User]:
    """Active users with an e-mail address, this frequency and unsent notices."""
    now = now or timezone.now()
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk"))
    users = User.objects.filter(is_active=True).exclude(email="")
    if frequency == DEFAULT_FREQUENCY:
        users = users.filter(Q(notification_preference__email_frequency=frequency)
                             | ~Exists(chosen))
    else:
        users = users.filter(notification_preference__email_frequency=frequency)
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    if after:
        users = users.filter(pk__gt=after)
    pending = Notification.objects.filter(mailable(), user=OuterRef("pk"),
                                          emailed_at__isnull=True,
                                          created_at__gte=now - MAX_AGE)
    return list(users.filter(Exists(pending)).order_by("pk")[:USER_BATCH])


def mailable() -> Q:
    """Notices worth a mail: all, except a measurement reminder whose benefit has been measured
    since (its reminder is done: the owner has nothing left to do). It stays in the centre."""
    open_reminder = BenefitReminder.objects.filter(benefit=OuterRef("benefit_id"),
                                                   done_at__isnull=True)
    return ~Q(kind=REMINDER) | Exists(open_reminder)


def _claim(user: User, now) -> uuid.UUID | None:
    visible = (notifications_visible_to(user)
               .filter(mailable(), emailed_at__isnull=True, created_at__gte=now - MAX_AGE)
               .values("pk"))
    claim = uuid.uuid4()
    won = Notification.objects.filter(pk__in=visible, emailed_at__isnull=True).update(
        emailed_at=now, email_claim=claim)
    return claim if won else None


def _unclaim(claim: uuid.UUID) -> None:
    Notification.objects.filter(email_claim=claim).update(emailed_at=None, email_claim=None)


def build_message(user: User, notices: list[Notification], frequency: str
                  ) -> EmailMultiAlternatives:
    """One mail for the user: the notices grouped by the object they are about."""
    site = settings.SITE_URL.rstrip("/")
    # In the recipient's language, whatever request or task happens to send it.
    with translation.override(language_for(user)):
        groups: OrderedDict[tuple, dict] = OrderedDict()
        for notice in notices:
            view = describe(notice)
            group = groups.setdefault(view.object_key, {
                "label": view.label, "title": view.title, "url": site + view.path,
                "items": []})
            group["items"].append({"text": view.text, "at": notice.created_at})
        unsubscribe_url = site + reverse("notifications:unsubscribe",
                                         args=[unsubscribe_token(user)])
        context = {
            "user": user, "groups": list(groups.values()), "count": len(notices),
            "frequency": EmailFrequency(frequency).label,
            "centre_url": site + reverse("notifications:centre"),
            "preferences_url": site + reverse("notifications:preferences"),
            "unsubscribe_url": unsubscribe_url,
        }
        if (frequency == EmailFrequency.IMMEDIATE and len(groups) == 1
                and all(n.kind == REMINDER for n in notices)):
            # A mail that only reminds of a measurement says so (as it always has).
            subject = reminder_subject(notices[0])
        elif frequency == EmailFrequency.IMMEDIATE and len(groups) == 1:
            subject = _("Innoportal: nytt om «%(title)s»") % {
                "title": context["groups"][0]["title"]}
        else:
            subject = ngettext("Innoportal: %(count)d nytt varsel",
                               "Innoportal: %(count)d nye varsler", len(notices)) % {
                "count": len(notices)}
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, None, [user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                 # RFC 8058: mail clients may unsubscribe with one POST, no page visit.
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    message.attach_alternative(html, "text/html")
    return message


def send_to_user(user: User, frequency: str, *, now=None) -> int:
    """Claim and send the user's unsent notices as one mail; returns how many it reported."""
    now = now or timezone.now()
    claim = _claim(user, now)
    if claim is None:
        return 0
    notices = list(notifications_for_display(user).filter(email_claim=claim)
                   .order_by("created_at", "id"))
    try:
        build_message(user, notices, frequency).send()
    except Exception:
        _unclaim(claim)
        raise
    _reminders_emailed(notices, now)
    return len(notices)


def _reminders_emailed(notices: list[Notification], now) -> None:
    """The measurement reminders these notices reported count as e-mailed (their history on
    the benefit page and in "Mine data")."""
    ids = [n.benefit_event.data.get("reminder_id") for n in notices if n.kind == REMINDER]
    if ids:
        BenefitReminder.objects.filter(pk__in=[i for i in ids if i], emailed_at__isnull=True
                                       ).update(emailed_at=now)


def notifications_email(frequency: str, *, user_ids: list[int] | None = None,
                        now=None) -> dict:
    """Send every due mail of this frequency. A failing address is logged and given back,
    and does not stop the mails of the other users."""
    if frequency not in EmailFrequency.values or frequency == EmailFrequency.NEVER:
        raise ValueError(f"not a sending frequency: {frequency!r}")
    now = now or timezone.now()
    result = {"mails": 0, "notices": 0, "failed": 0}
    after = 0
    # Batches of users in id order until none is left (a failed user is not tried again in
    # this run: the next batch starts after him).
    while users := recipients_for(frequency, user_ids=user_ids, now=now, after=after):
        for user in users:
            after = user.pk
            try:
                sent = send_to_user(user, frequency, now=now)
            except Exception:
                logger.exception("notice e-mail to user %s failed; given back for the next "
                                 "run", user.pk)
                result["failed"] += 1
                continue
            if sent:
                result["mails"] += 1
                result["notices"] += sent
    return result
