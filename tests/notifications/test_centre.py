"""The notification centre, the header badge and the preference page: who sees what, marking
read, and a constant number of queries however many notices there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas import services as idea_services
from notifications.context_processors import unread_notifications
from notifications.models import Notification, NotificationPreference
from projects.services import checklists_ensure_defaults, project_transition
from tests.consumers import run_consumers
from tests.gevinst.conftest import make_project
from tests.ideas.factories import make_idea


def idea_notices(employee, coordinator, home_org, n: int) -> list:
    """n notices for the employee, each about an idea of her own."""
    ideas = []
    for i in range(n):
        idea = make_idea(employee, home_org, status="submitted", title=f"Idé nummer {i}")
        idea_services.idea_start_review(actor=coordinator, idea=idea)
        ideas.append(idea)
    run_consumers()
    return ideas


def test_the_centre_lists_notices_with_title_text_and_link(client, employee, coordinator,
                                                           home_org):
    [idea] = idea_notices(employee, coordinator, home_org, 1)
    client.force_login(employee)
    page = client.get(reverse("notifications:centre"))
    html = page.content.decode()
    assert page.status_code == 200
    assert idea.title in html and reverse("ideas:detail", args=[idea.pk]) in html
    assert "Status endret fra «Sendt inn» til «Til vurdering»." in html
    assert '<span class="notice-badge">1</span>' in html  # the header badge


def test_empty_state(client, employee):
    client.force_login(employee)
    html = client.get(reverse("notifications:centre")).content.decode()
    assert "Du har ingen varsler ennå" in html
    assert "notice-badge" not in html


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("notifications:centre"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_mark_one_read_only_touches_own_notices(client, employee, manager, coordinator,
                                                home_org):
    [idea] = idea_notices(employee, coordinator, home_org, 1)
    idea_services.idea_follow(actor=manager, idea=idea)
    idea_services.idea_park(actor=coordinator, idea=idea)
    run_consumers()
    mine = Notification.objects.filter(user=employee).order_by("pk")
    managers = Notification.objects.get(user=manager)
    client.force_login(employee)
    # Someone else's notice: nothing changes.
    response = client.post(reverse("notifications:read", args=[managers.pk]))
    assert response.status_code == 302
    managers.refresh_from_db()
    assert managers.read_at is None
    client.post(reverse("notifications:read", args=[mine[0].pk]))
    assert [n.read_at is not None for n in mine.all()] == [True, False]


def test_mark_all_read(client, employee, coordinator, home_org):
    idea_notices(employee, coordinator, home_org, 3)
    client.force_login(employee)
    client.post(reverse("notifications:read-all"))
    assert not Notification.objects.filter(user=employee, read_at__isnull=True).exists()
    html = client.get(reverse("notifications:centre")).content.decode()
    assert "notice-badge" not in html


@pytest.mark.parametrize("name,args", [("notifications:read-all", []),
                                       ("notifications:read", [1])])
def test_reading_needs_a_post(client, employee, coordinator, home_org, name, args):
    idea_notices(employee, coordinator, home_org, 1)
    client.force_login(employee)
    notice = Notification.objects.get()
    url = reverse(name, args=[notice.pk] if args else [])
    assert client.get(url).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_reading_needs_the_csrf_token(employee, coordinator, home_org):
    from django.test import Client

    idea_notices(employee, coordinator, home_org, 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(employee)
    assert strict.post(reverse("notifications:read-all")).status_code == 403
    assert Notification.objects.get().read_at is None


def test_pagination(client, employee, coordinator, home_org, monkeypatch):
    from notifications import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    idea_notices(employee, coordinator, home_org, 3)
    client.force_login(employee)
    first = client.get(reverse("notifications:centre"))
    second = client.get(reverse("notifications:centre"), {"page": 2})
    assert len(first.context["notices"]) == 2 and len(second.context["notices"]) == 1
    assert "Side 1 av 2" in first.content.decode()


def _mixed_notices(n, *, employee, coordinator, manager, project_leader, home_org):
    """n idea notices and n project notices for the employee (she follows ideas whose
    projects move), so every family and join is on the page."""
    checklists_ensure_defaults(home_org)
    for i in range(n):
        idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title=f"Idé {i}")
        idea_services.idea_approve(actor=coordinator, idea=idea)
        project = idea.initiative.project
        project_transition(actor=manager, project=project, to_phase="parked")
    run_consumers()


def test_centre_and_badge_cost_the_same_queries_for_1_and_20_notices(
        client, employee, coordinator, manager, project_leader, home_org,
        django_assert_num_queries):
    people = {"employee": employee, "coordinator": coordinator, "manager": manager,
              "project_leader": project_leader, "home_org": home_org}
    _mixed_notices(1, **people)
    client.force_login(employee)
    url = reverse("notifications:centre")
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _mixed_notices(10, **people)
    assert Notification.objects.filter(user=employee).count() >= 20
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["notices"]) >= 20


def test_the_badge_is_one_query(rf, employee, coordinator, home_org,
                                django_assert_num_queries):
    idea_notices(employee, coordinator, home_org, 2)
    request = rf.get("/")
    request.user = employee
    context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert int(context["unread_notifications"]) == 2


def test_the_badge_costs_nothing_until_rendered_and_nothing_for_anonymous(
        rf, employee, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {}
        request.user = employee
        unread_notifications(request)  # lazy: no query yet


def test_a_notice_of_an_object_no_longer_visible_is_hidden_and_mark_all_clears_it(
        client, rf, employee, coordinator, outsider, home_org, other_org):
    """The badge counts cheaply (no visibility filter); the centre shows no such notice (no
    title), and "mark all as read" clears the count."""
    from tests.factories import NetworkFactory

    network = NetworkFactory(name="Fjellregionen")
    network.organisations.set([home_org, other_org])
    idea = make_idea(employee, home_org, status="submitted", visibility="network")
    idea_services.idea_follow(actor=outsider, idea=idea)
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    request = rf.get("/")
    request.user = outsider
    assert int(unread_notifications(request)["unread_notifications"]) == 1
    type(idea).objects.filter(pk=idea.pk).update(is_confidential=True,
                                                 visibility="organisation")
    client.force_login(outsider)
    centre = client.get(reverse("notifications:centre"))
    assert centre.context["notices"] == [] and idea.title not in centre.content.decode()
    client.post(reverse("notifications:read-all"))
    assert int(unread_notifications(request)["unread_notifications"]) == 0


# --- preferences ----------------------------------------------------------------------------

def test_preferences_default_to_daily_and_can_be_changed(client, employee):
    client.force_login(employee)
    page = client.get(reverse("notifications:preferences"))
    assert page.context["form"].initial["email_frequency"] == "daily"
    response = client.post(reverse("notifications:preferences"),
                           {"email_frequency": "weekly"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=employee).email_frequency == "weekly"


def test_an_unknown_frequency_is_refused_and_nothing_saved(client, employee):
    client.force_login(employee)
    response = client.post(reverse("notifications:preferences"),
                           {"email_frequency": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors["email_frequency"]
    assert not NotificationPreference.objects.exists()


def test_users_without_e_mail_are_told_so(client, employee):
    employee.email = ""
    employee.save()
    client.force_login(employee)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert "ingen e-postadresse" in html


def test_the_centre_links_to_the_preferences(client, employee):
    client.force_login(employee)
    html = client.get(reverse("notifications:centre")).content.decode()
    assert reverse("notifications:preferences") in html
    assert "E-post: Daglig sammendrag" in html


def test_a_project_notice_links_to_the_project(client, employee, coordinator, manager,
                                               home_org):
    checklists_ensure_defaults(home_org)
    project = make_project(home_org, "concept", leader=employee)
    project_transition(actor=manager, project=project, to_phase="parked")
    run_consumers()
    client.force_login(employee)
    html = client.get(reverse("notifications:centre")).content.decode()
    assert reverse("projects:detail", args=[project.pk]) in html
    assert "Prosjektet er parkert." in html
