"""Existence oracles (issue 13): an outsider must not be able to tell "exists in another
organisation" from "does not exist". For every filter parameter of every API list that names
a row (an id, a username, an organisation number) and for every field that names a user
(reviewer, benefit owner), the answer for another organisation's existing row equals the
answer for a row that does not exist: same status, same body.

The world: the home organisation holds a unit, a project with a benefit, an idea with a
campaign and a tag and its people; the outsider administers another organisation, which shares
nothing with it."""

import datetime

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, reverse

from gevinst.models import Benefit
from innoportal import api_urls
from portal import services as portal_services
from portal.api.filters import IdFilter, ScopedFilterSet
from portal.models import Membership, Organisation, User
from projects.models import Project
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.ideas.factories import make_campaign, make_idea
from tests.indicators.helpers import valued_benefit
from tests.projects.test_transitions import make_project


def _list_endpoints(patterns=api_urls.urlpatterns):
    """(route name, FilterSet) of every API list with filters, from the URL configuration: a
    new list is swept without editing this test."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _list_endpoints(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            cls = getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", None) or {}
            filterset = getattr(cls, "filterset_class", None)
            if filterset is not None and actions.get("get") == "list" and pattern.name:
                yield pattern.name, filterset


ENDPOINTS = sorted(dict(_list_endpoints()).items())


def _related_model(filterset, name, flt):
    """The model a filter names rows of, and the field the value is read from; None for
    filters that do not name a row (choices, free text)."""
    model = filterset._meta.model
    path = flt.field_name.split("__")
    *relations, last = path
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    if last == "username":
        return model, "username"
    if last == "org_number":
        return model, "org_number"
    if isinstance(flt, (IdFilter, django_filters.ModelChoiceFilter,
                        django_filters.ModelMultipleChoiceFilter)):
        related = model._meta.get_field(last).related_model
        return related, getattr(flt, "extra", {}).get("to_field_name") or "pk"
    return None


@pytest.fixture
def world(home_org, other_org, manager, project_leader, employee, coordinator, outsider):
    unit = UnitFactory(organisation=home_org, name="Hjemmetjenesten")
    project, _ = make_project(home_org, "pilot", "full")
    Project.objects.filter(pk=project.pk).update(unit=unit, leader=project_leader)
    benefit = valued_benefit(project, direction="decrease", baseline="40", measurements=[])
    Benefit.objects.filter(pk=benefit.pk).update(owner=manager)
    campaign = make_campaign(home_org, opens_on=datetime.date(2024, 1, 1),
                             closes_on=datetime.date(2030, 1, 1))
    make_idea(employee, home_org, status="in_review", coordinator=coordinator, unit=unit,
              campaign=campaign, tags=["kodenavn-x"])
    own_project, _ = make_project(other_org, "pilot", "full")
    own_idea = make_idea(outsider, other_org, status="in_review", coordinator=outsider)
    return {"own_project": own_project, "own_idea": own_idea}


def _foreign_and_missing(model, field, home_org, outsider):
    """A value naming a row the outsider may not see, and one naming no row at all."""
    if model is User:
        row = User.objects.exclude(pk=outsider.pk).filter(memberships__organisation=home_org)
    elif model is Organisation:
        row = Organisation.objects.filter(pk=home_org.pk)
    else:
        row = model.objects.all()  # only the home organisation has rows of this kind
    row = row.order_by("pk").first()
    assert row is not None, f"the world has no {model.__name__}"
    if field == "pk":
        missing = (model.objects.order_by("-pk").values_list("pk", flat=True).first()) + 1
    elif field == "org_number":
        missing = "000000000"
    else:
        missing = "finnes-ikke-" + "x" * 5
        assert not model.objects.filter(**{field: missing}).exists()
    return getattr(row, field), missing


def test_the_sweep_covers_the_known_row_filters():
    swept = {(route, name) for route, filterset in ENDPOINTS
             for name, flt in filterset.base_filters.items()
             if _related_model(filterset, name, flt)}
    assert {("project-list", "unit"), ("project-list", "leader"), ("unit-list", "parent"),
            ("benefit-list", "project"), ("benefit-list", "owner"), ("idea-list", "unit"),
            ("idea-list", "campaign"), ("idea-list", "tag")} <= swept


@pytest.mark.parametrize("route, filterset", ENDPOINTS, ids=[r for r, _f in ENDPOINTS])
def test_every_filter_answers_alike_for_a_foreign_and_a_missing_row(
        api_client, world, home_org, outsider, route, filterset):
    api_client.force_authenticate(outsider)
    url = reverse(route)
    for name, flt in filterset.base_filters.items():
        related = _related_model(filterset, name, flt)
        if related is None:
            continue
        foreign, missing = _foreign_and_missing(*related, home_org, outsider)
        seen = api_client.get(url, {name: foreign})
        unseen = api_client.get(url, {name: missing})
        assert seen.status_code == unseen.status_code, (route, name)
        assert seen.status_code in (200, 400), (route, name)
        body = seen.json()
        assert body == unseen.json() or (
            # A 400 may repeat the value sent; everything else is the same.
            seen.status_code == 400
            and str(body).replace(str(foreign), "?") == str(unseen.json()).replace(
                str(missing), "?")), (route, name, body, unseen.json())
        if seen.status_code == 200:
            assert body["results"] == []


def test_every_api_filterset_derives_from_the_scoped_base():
    for route, filterset in ENDPOINTS:
        assert issubclass(filterset, ScopedFilterSet), route


def _same(a, b):
    assert a.status_code == b.status_code
    assert a.json() == b.json()
    return a


@pytest.mark.parametrize("method", ["post", "delete"])
def test_the_reviewer_field_does_not_confirm_a_username(api_client, world, outsider, manager,
                                                        method):
    idea = world["own_idea"]
    api_client.force_authenticate(outsider)
    url = f"/api/v1/ideas/{idea.pk}/reviewers/"
    send = getattr(api_client, method)
    answer = _same(send(url, {"reviewer": manager.username}, format="json"),
                   send(url, {"reviewer": "finnes-ikke"}, format="json"))
    assert answer.status_code == 400 and "reviewer" in answer.json()["errors"]
    assert not idea.assignments.exists()


def test_the_reviewer_form_does_not_confirm_a_user(client, world, outsider, manager):
    idea = world["own_idea"]
    client.force_login(outsider)
    url = reverse("ideas:assign", args=[idea.pk])
    missing = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    answers = []
    for pk in (manager.pk, missing):
        response = client.post(url, {"reviewer": pk}, follow=True)
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1] and manager.get_full_name() not in answers[0][0]
    assert not idea.assignments.exists()


def _benefit_body(project, owner):
    return {"project": project.pk, "title": "Spart tid", "type": "time_saved",
            "dimension": "organisational", "unit": "timer/uke", "direction": "decrease",
            "baseline_value": "40", "baseline_on": "2024-03-01", "target_value": "30",
            "target_on": "2025-03-01", "owner": owner}


def test_the_benefit_owner_field_does_not_confirm_a_username(api_client, world, outsider,
                                                             manager):
    project = world["own_project"]
    api_client.force_authenticate(outsider)
    answer = _same(
        api_client.post("/api/v1/benefits/", _benefit_body(project, manager.username),
                        format="json"),
        api_client.post("/api/v1/benefits/", _benefit_body(project, "finnes-ikke"),
                        format="json"))
    assert answer.status_code == 400 and "owner" in answer.json()["errors"]
    assert not Benefit.objects.filter(project=project).exists()
    api_client.post("/api/v1/benefits/", _benefit_body(project, None), format="json")
    benefit = Benefit.objects.get(project=project)
    answer = _same(
        api_client.patch(f"/api/v1/benefits/{benefit.pk}/",
                         {"owner": manager.username, "version": benefit.version},
                         format="json"),
        api_client.patch(f"/api/v1/benefits/{benefit.pk}/",
                         {"owner": "finnes-ikke", "version": benefit.version},
                         format="json"))
    assert answer.status_code == 400
    assert Benefit.objects.get(pk=benefit.pk).owner_id is None


def test_a_member_is_still_found_by_username(api_client, world, outsider, other_org):
    """The control: the same fields accept a member of the organisation."""
    idea = world["own_idea"]
    api_client.force_authenticate(outsider)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/reviewers/",
                               {"reviewer": outsider.username}, format="json")
    assert response.status_code == 201


def _adopting_document(org, origin_key, key="adopter-1"):
    return {"format": "innoportal-portfolio/1",
            "organisations": [{"org_number": org.org_number, "name": org.name,
                               "kind": "municipality", "county": org.county,
                               "population": org.population}],
            "initiatives": [{"key": key, "organisation": org.org_number, "title": "Adoptert",
                             "need": "Behov", "track": "full", "visibility": "organisation",
                             "adopted_from": origin_key,
                             "phases": [{"phase": "concept", "on": "2024-02-01"}],
                             "assessments": [], "benefits": []}]}


def _import_errors(api_client, document) -> list[str]:
    response = api_client.post("/api/v1/portfolio/import/", document, format="json")
    assert response.status_code == 400, response.json()
    return response.json()["errors"]["file"]


def test_import_errors_do_not_tell_whether_another_organisation_has_a_project(
        api_client, home_org, other_org, outsider):
    """Before: "only shared projects can be adopted" for the home organisation's in-house
    project, "no project with key" for a key nobody has."""
    project, _ = make_project(home_org, "pilot", "full")
    api_client.force_authenticate(outsider)
    hidden = _import_errors(api_client, _adopting_document(other_org, project.initiative.key))
    missing = _import_errors(api_client, _adopting_document(other_org, "finnes-ikke"))
    assert [e.replace(project.initiative.key, "?") for e in hidden] == [
        e.replace("finnes-ikke", "?") for e in missing]
    assert not Project.objects.filter(organisation=other_org).exists()
    # The control: once the project is shared, the same file adopts it.
    Project.objects.filter(pk=project.pk).update(visibility="public")
    response = api_client.post("/api/v1/portfolio/import/",
                               _adopting_document(other_org, project.initiative.key),
                               format="json")
    assert response.status_code == 201, response.json()
    assert Project.objects.get(organisation=other_org).adopted_from_id == project.pk


def _with_benefit(document, benefit_key):
    item = document["initiatives"][0]
    item["phases"] = [{"phase": "concept", "on": "2024-02-01"},
                      {"phase": "pilot", "on": "2024-03-01"},
                      {"phase": "implementation", "on": "2024-06-01"}]
    item["benefits"] = [{"key": benefit_key, "title": "Spart tid", "type": "time_saved",
                         "dimension": "organisational", "unit": "timer", "direction": "decrease",
                         "baseline": 40, "baseline_on": "2024-03-01", "target": 30,
                         "target_on": "2025-03-01", "measurements": []}]
    return document


def test_an_import_key_used_elsewhere_is_as_free_as_an_unused_one(api_client, world, other_org,
                                                                  outsider):
    """Before: keys were unique on the whole site, so a key another organisation used was
    refused («already in use») and one nobody used was taken: an importer could probe for
    keys. Keys are unique per organisation (initiatives) and per project (benefits) now: both
    imports answer alike, and the other organisation's rows are untouched."""
    project = Project.objects.exclude(organisation=other_org).get()
    benefit = Benefit.objects.get(project=project)
    before = (project.initiative.title, project.initiative.phase, benefit.title)
    api_client.force_authenticate(outsider)
    answers = []
    for key, benefit_key in ((project.initiative.key, benefit.key),
                             ("finnes-ikke", "finnes-heller-ikke")):
        document = _with_benefit(_adopting_document(other_org, None, key=key), benefit_key)
        response = api_client.post("/api/v1/portfolio/import/", document, format="json")
        assert response.status_code == 201, response.json()
        answers.append(response.json())
    assert answers[0] == answers[1]
    taken = Project.objects.get(organisation=other_org, initiative__key=project.initiative.key)
    assert taken.benefits.get().key == benefit.key
    project.initiative.refresh_from_db()
    benefit.refresh_from_db()
    assert (project.initiative.title, project.initiative.phase, benefit.title) == before
    assert Benefit.objects.filter(key=benefit.key).count() == 2


def test_adding_a_member_by_e_mail_never_attaches_another_organisations_account(
        client, home_org, other_org, org_admin, mailoutbox,
        django_capture_on_commit_callbacks):
    """Before: an account of another municipality with the address was attached silently and
    the page showed its real name."""
    foreign = UserFactory(username="ekte", first_name="Ekte", last_name="Navnesen",
                          email="delt@example.no")
    MembershipFactory(user=foreign, organisation=other_org)
    client.force_login(org_admin)
    url = reverse("org-members", args=[home_org.org_number])
    answers = []
    for email in ("delt@example.no", "ingen@example.no"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": email, "role": "employee",
                                         "first_name": "Ny", "last_name": "Person"},
                                   follow=True)
        assert response.status_code == 200
        answers.append(([str(m) for m in response.context["messages"]],
                        [m.to for m in mailoutbox if m.to == [email]]))
    (shown_foreign, mailed_foreign), (shown_missing, mailed_missing) = answers
    assert shown_foreign == shown_missing == ["Ny Person er lagt til som Ansatt."]
    assert mailed_foreign and mailed_missing
    assert "Navnesen" not in response.content.decode()
    assert not foreign.memberships.filter(organisation=home_org).exists()
    added = Membership.objects.get(organisation=home_org, user__email="delt@example.no")
    assert added.user_id != foreign.pk and added.user.get_full_name() == "Ny Person"


def test_an_account_the_admin_already_administers_is_reused(home_org, other_org, org_admin):
    """Moving a person between one's own organisations keeps their one account."""
    MembershipFactory(user=org_admin, organisation=other_org, role="admin")
    person = UserFactory(email="egen@example.no")
    MembershipFactory(user=person, organisation=other_org)
    membership = portal_services.member_add(actor=org_admin, organisation=home_org,
                                     email="egen@example.no", role="employee")
    assert membership.user_id == person.pk
