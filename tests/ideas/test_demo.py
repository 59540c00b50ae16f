import io

from ideas import demo
from ideas.models import Campaign, Idea, IdeaEvent
from initiatives.models import PhaseChange
from notifications import demo as notification_demo
from portal.roles import Role
from projects.models import Project
from tests.consumers import run_consumers
from tests.factories import MembershipFactory, OrganisationFactory, UnitFactory, UserFactory


def test_demo_loads_through_the_services_and_is_idempotent(db):
    home, neighbour = OrganisationFactory(name="Tynset"), OrganisationFactory(name="Røros")
    for name in ("Hjemmetjenesten", "Sykehjem"):
        UnitFactory(organisation=home, name=name)
    for username, role in [("ansatt", Role.EMPLOYEE), ("koordinator", Role.COORDINATOR),
                           ("prosjektleder", Role.PROJECT_LEADER), ("leder", Role.MANAGER),
                           ("admin", Role.ADMIN)]:
        MembershipFactory(user=UserFactory(username=username), organisation=home, role=role)
    MembershipFactory(user=UserFactory(username="nabo"), organisation=neighbour,
                      role=Role.MANAGER)
    demo.load(home=home, neighbour=neighbour, stdout=io.StringIO())
    counts = (Idea.objects.count(), IdeaEvent.objects.count(), PhaseChange.objects.count(),
              Project.objects.count(), Campaign.objects.count())
    demo.load(home=home, neighbour=neighbour, stdout=io.StringIO())
    assert counts == (Idea.objects.count(), IdeaEvent.objects.count(),
                      PhaseChange.objects.count(), Project.objects.count(),
                      Campaign.objects.count())
    statuses = set(Idea.objects.filter(organisation=home).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "in_review", "approved", "rejected", "parked",
                        "merged"}
    assert Project.objects.count() == 6 and Idea.objects.filter(organisation=neighbour).count() == 2
    assert Idea.objects.filter(is_anonymous=True).exists()
    assert Idea.objects.filter(is_confidential=True).exists()
    years = {c.effective_date.year for c in PhaseChange.objects.filter(to_phase="concept")}
    assert years <= {2023, 2024, 2025} and len(years) == 3


def _run_enqueued_mail_tasks(load, capture):
    """Run `load`, collect the e-mail tasks it enqueued after commit (with or without Redis)
    and run their bodies, as the worker would; then the daily digest, as beat would."""
    from unittest import mock

    from notifications.tasks import notifications_send_daily, notifications_send_immediate

    with mock.patch.object(notifications_send_immediate, "delay") as enqueue:
        with capture(execute=True):
            load()
    calls = [c.kwargs for c in enqueue.call_args_list]
    for kwargs in calls:
        notifications_send_immediate(**kwargs)
    notifications_send_daily()
    return calls


def test_demo_loading_sends_no_e_mail_but_keeps_the_in_app_notices(
        db, mailoutbox, django_capture_on_commit_callbacks):
    """`load_demo` printed every follower e-mail to the console (the eager Celery task ran
    after commit). Demo history is not news: no mail, but the notices stay in the app."""
    from notifications.models import Notification

    home, neighbour = OrganisationFactory(name="Tynset"), OrganisationFactory(name="Røros")
    for username, role in [("ansatt", Role.EMPLOYEE), ("koordinator", Role.COORDINATOR),
                           ("prosjektleder", Role.PROJECT_LEADER), ("leder", Role.MANAGER),
                           ("admin", Role.ADMIN)]:
        MembershipFactory(user=UserFactory(username=username), organisation=home, role=role)
    MembershipFactory(user=UserFactory(username="nabo"), organisation=neighbour,
                      role=Role.MANAGER)
    def load() -> None:
        """The ideas demo as load_demo runs it: its events are consumed (notices), then the
        demo's notices count as e-mailed."""
        first = notification_demo.last_notice_id()
        demo.load(home=home, neighbour=neighbour, stdout=io.StringIO())
        run_consumers()
        notification_demo.load(after=first, stdout=io.StringIO())

    enqueued = _run_enqueued_mail_tasks(load, django_capture_on_commit_callbacks)
    assert enqueued  # the e-mail tasks were enqueued and ran ...
    assert mailoutbox == []  # ... and sent nothing
    ansatt = Notification.objects.filter(user__username="ansatt")
    assert ansatt.exists() and not ansatt.filter(read_at__isnull=False).exists()


def test_outside_the_demo_a_status_change_still_sends_mail(
        employee, coordinator, home_org, mailoutbox, django_capture_on_commit_callbacks):
    from ideas import services
    from tests.ideas.factories import make_idea

    idea = make_idea(employee, home_org, status="submitted")

    def review() -> None:
        services.idea_start_review(actor=coordinator, idea=idea)
        run_consumers()

    _run_enqueued_mail_tasks(review, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[employee.email]]
