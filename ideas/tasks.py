"""Thin Celery wrappers: take ids, load rows, do the work; safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ideas.access import users_who_may_see
from ideas.models import FollowerNotification


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def idea_notifications_send(event_id: int) -> int:
    """E-mail each follower told about an idea event. Each notice is claimed with a
    compare-and-swap on emailed_at, so a second run (or a retry) sends nothing twice."""
    sent = 0
    notices = list(FollowerNotification.objects.filter(event_id=event_id,
                                                       emailed_at__isnull=True)
                   .select_related("user", "idea", "event"))
    if not notices:
        return 0
    # Asked again at sending time: the idea may have become confidential since the event.
    allowed = users_who_may_see(notices[0].idea, [n.user_id for n in notices])
    for notice in notices:
        if (not notice.user.email or not notice.user.is_active
                or notice.user_id not in allowed):
            continue
        claimed = FollowerNotification.objects.filter(
            pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        if not claimed:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {"notice": notice, "idea": notice.idea, "event": notice.event,
                       "url": settings.SITE_URL.rstrip("/")
                       + reverse("ideas:detail", args=[notice.idea_id])}
            subject = render_to_string("ideas/email/notification_subject.txt", context)
            body = render_to_string("ideas/email/notification.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [notice.user.email])
        except Exception:
            # Give the notice back so the retry sends it.
            FollowerNotification.objects.filter(pk=notice.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent
