"""Mine data: a user sees and exports what the system holds about them, and only that."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from ideas import services as idea_services
from overview.personal_data import personal_data_sections
from portal.services import api_token_create
from tests.consumers import run_consumers
from tests.factories import MembershipFactory, UserFactory
from tests.ideas.factories import make_idea
from tests.project_apps import project_app_labels

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(home_org):
    from portal.roles import Role

    return MembershipFactory(user=UserFactory(username="eier", first_name="Eli",
                                              last_name="Eiersen"),
                             organisation=home_org, role=Role.EMPLOYEE).user


@pytest.fixture
def data(owner, employee, coordinator, home_org):
    mine_anonymous = make_idea(owner, home_org, title="Min anonyme idé", status="submitted",
                               is_anonymous=True)
    theirs = make_idea(employee, home_org, title="Kollegaens idé", need="Kollegaens behov",
                       status="submitted")
    theirs_anonymous = make_idea(employee, home_org, title="Kollegaens anonyme idé",
                                 status="submitted", is_anonymous=True)
    idea_services.comment_add(actor=owner, idea=theirs, body="Min kommentar")
    idea_services.comment_add(actor=employee, idea=theirs, body="Kollegaens kommentar")
    idea_services.idea_support(actor=owner, idea=theirs)
    idea_services.idea_follow(actor=employee, idea=theirs_anonymous)
    api_token_create(user=owner, name="Min nøkkel")
    _token, other_key = api_token_create(user=employee, name="Kollegaens nøkkel")
    return {"mine_anonymous": mine_anonymous, "theirs": theirs, "other_key": other_key}


def test_the_page_lists_the_users_own_data_including_their_anonymous_idea(client, owner, data):
    client.force_login(owner)
    response = client.get(reverse("my-data"))
    assert response.status_code == 200
    html = response.content.decode()
    for own in ("eier", "Eli", "Hjemby kommune", "Ansatt", "Min anonyme idé", "Min kommentar",
                "Kollegaens idé",  # the idea the owner commented on and supports
                "Min nøkkel"):
        assert own in html, own


def test_the_page_holds_nothing_of_another_user(client, owner, employee, data):
    client.force_login(owner)
    html = client.get(reverse("my-data")).content.decode()
    for foreign in ("Kollegaens kommentar", "Kollegaens anonyme idé", "Kollegaens nøkkel",
                    "Kollegaens behov", employee.username, employee.last_name,
                    data["other_key"][:8]):
        assert foreign not in html, foreign


def test_the_export_is_valid_json_with_the_same_sections(client, owner, employee, data):
    client.force_login(owner)
    response = client.get(reverse("my-data-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["format"] == "innoportal-personal-data/1"
    assert document["user"] == "eier"
    sections = document["sections"]
    (profile,) = sections["profile"]["rows"]
    assert {k: profile[k] for k in ("username", "first_name", "last_name", "email",
                                    "is_national_analyst")} == {
        "username": "eier", "first_name": "Eli", "last_name": "Eiersen",
        "email": "eier@example.no", "is_national_analyst": "Nei"}
    assert profile["date_joined"].startswith(str(owner.date_joined.year))
    ideas = sections["ideas"]["rows"]
    assert [(i["title"], i["anonymous"]) for i in ideas] == [("Min anonyme idé", "Ja")]
    assert [c["body"] for c in sections["comments"]["rows"]] == ["Min kommentar"]
    assert [t["name"] for t in sections["api_tokens"]["rows"]] == ["Min nøkkel"]
    text = response.content.decode()
    assert "Kollegaens kommentar" not in text and employee.username not in text
    # No secret: the stored hash of the key is not exported.
    from portal.models import ApiToken

    assert ApiToken.objects.get(user=owner).key_hash not in text


def test_the_export_answers_only_to_the_signed_in_user(client, owner, data):
    response = client.get(reverse("my-data-export"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(reverse("my-data"))
    assert response.status_code == 302


def test_every_reference_to_a_user_is_covered_by_a_section(owner):
    """A new foreign key to the user (a new kind of personal data) must get a section in its
    app's personal_data(), or this test names it."""
    covered = {ref for s in personal_data_sections(owner) for ref in s.covers}
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    references = set()
    for model in apps.get_models():
        if model._meta.app_label not in project_app_labels():
            continue
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and \
                    field.related_model is user_model:
                references.add(f"{model._meta.label}.{field.name}")
    # Django's own groups and permissions are not used by the portal.
    references -= {"portal.User.groups", "portal.User.user_permissions"}
    assert references - covered == set()


def test_other_apps_rows_show_up(owner, home_org, coordinator):
    """A row of each kind the user took part in appears in its section."""
    idea = make_idea(owner, home_org, status="in_review", coordinator=coordinator)
    idea_services.reviewer_assign(actor=coordinator, idea=idea, reviewer=owner)
    run_consumers()
    sections = {s.key: s for s in personal_data_sections(owner)}
    assert [r["idea"] for r in sections["review_assignments"].rows] == [idea.title]
    assert any(r["idea"] == idea.title for r in sections["idea_events"].rows)
    # Being made a reviewer is a notice to the owner; their e-mail choice is the default.
    assert idea.title in {r["title"] for r in sections["notifications"].rows}
    assert sections["notification_preference"].rows == [{"email_frequency": "Daglig sammendrag"}]
    coordinator_sections = {s.key: s for s in personal_data_sections(coordinator)}
    assert [r["role"] for r in coordinator_sections["review_assignments"].rows] == [
        "tildelt av deg"]
