#!/usr/bin/env python3
"""Notices at scale: the header badge, the centre page and the daily digest.

    python bench/notifications.py [--runs 30] [--users 300] [--database NAME]

Against `--database` (default BENCH_NOTIFY_DATABASE_URL or innoportal_notify on the local
PostgreSQL, migrated here):
builds once one organisation with 2 000 ideas, a heavy user with 10 000 notices (half read)
and --users users with 20 unsent notices each; then prints the median server time of the
badge query and of GET /notifications/ for the heavy user (with its query count), and the
time of one daily digest run over all users (mails go to the in-memory backend)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, database_url  # noqa: E402


def build(users: int) -> None:
    from django.utils import timezone

    from ideas.models import Idea, IdeaEvent
    from initiatives.models import Initiative
    from notifications.models import Notification
    from portal.models import Membership, Organisation, User

    if User.objects.filter(username="bench-heavy").exists():
        return
    org = Organisation.objects.create(name="Benchby kommune", org_number="940192404",
                                      kind="municipality", population=20_000)
    heavy = User.objects.create(username="bench-heavy", email="heavy@bench.no")
    others = User.objects.bulk_create([User(username=f"bench-{i}", email=f"u{i}@bench.no")
                                       for i in range(users)])
    Membership.objects.bulk_create([Membership(user=u, organisation=org, role="employee")
                                    for u in [heavy, *others]])
    initiatives = Initiative.objects.bulk_create(
        [Initiative(organisation=org, title=f"Idé {i}", phase="idea") for i in range(2000)])
    ideas = Idea.objects.bulk_create(
        [Idea(initiative=ini, organisation=org, submitter=heavy, title=ini.title, need="Behov",
              status="in_review") for ini in initiatives])
    events = IdeaEvent.objects.bulk_create(
        [IdeaEvent(idea=idea, kind="status_changed",
                   data={"old": "submitted", "new": "in_review"})
         for idea in ideas for _ in range(5)], batch_size=2000)
    now = timezone.now()
    rows = [Notification(user=heavy, kind="status_changed", idea_id=e.idea_id, idea_event=e,
                         read_at=now if n % 2 else None, emailed_at=now)
            for n, e in enumerate(events)]
    for k, user in enumerate(others):
        rows += [Notification(user=user, kind="status_changed", idea_id=e.idea_id,
                              idea_event=e)
                 for e in events[(k * 20) % 9980:(k * 20) % 9980 + 20]]
    Notification.objects.bulk_create(rows, batch_size=5000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--users", type=int, default=300)
    add_database_argument(parser, default="innoportal_notify", env="BENCH_NOTIFY_DATABASE_URL")
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=database_url(args),
                      DJANGO_SETTINGS_MODULE="innoportal.settings", DEBUG="1",
                      SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver",
                      EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from notifications import mail as notice_mail
    from notifications.models import Notification
    from notifications.selectors import unread_count
    from portal.models import User

    call_command("migrate", verbosity=0)
    build(args.users)
    heavy = User.objects.get(username="bench-heavy")
    print(f"notices: {Notification.objects.count()} "
          f"(heavy user {Notification.objects.filter(user=heavy).count()}, "
          f"{unread_count(heavy)} unread)")

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        unread_count(heavy)
        times.append(time.perf_counter() - start)
    print(f"badge count: median {statistics.median(times) * 1000:.1f} ms")

    client = Client()
    client.force_login(heavy)
    client.get("/notifications/")
    times, queries = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/notifications/")
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        queries.append(len(captured))
    print(f"GET /notifications/: median {statistics.median(times) * 1000:.0f} ms, "
          f"queries {min(queries)}–{max(queries)}")

    mail.outbox = []
    with transaction.atomic():
        start = time.perf_counter()
        result = notice_mail.notifications_email("daily")
        took = time.perf_counter() - start
        again = notice_mail.notifications_email("daily")
        transaction.set_rollback(True)  # keep the bench data unsent for the next run
    print(f"daily digest: {result['mails']} mails, {result['notices']} notices in "
          f"{took:.2f} s ({took / max(result['mails'], 1) * 1000:.0f} ms per mail); "
          f"second run {again['mails']} mails")
    return 0


if __name__ == "__main__":
    sys.exit(main())
