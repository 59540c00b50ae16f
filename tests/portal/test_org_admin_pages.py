import pytest
from django.urls import reverse

from portal.models import Membership, OrganisationEvent, Unit
from portal.roles import Role


def members_url(org):
    return reverse("org-members", args=[org.org_number])


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302),  # to the login page
    ("employee", 403),
    ("coordinator", 403),
    ("project_leader", 403),
    ("manager", 403),
    ("admin", 200),
    ("outsider", 404),  # admin of another municipality: existence not revealed
])
@pytest.mark.parametrize("page", ["org-members", "org-units"])
def test_organisation_admin_pages_by_role(client, personas, home_org, persona, expected, page):
    if personas[persona]:
        client.force_login(personas[persona])
    response = client.get(reverse(page, args=[home_org.org_number]))
    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_refused_member_add_changes_nothing(client, personas, home_org, persona):
    client.force_login(personas[persona])
    before = Membership.objects.count()
    response = client.post(members_url(home_org), {"email": "ny@example.no", "role": "admin"})
    assert response.status_code in (403, 404)
    assert Membership.objects.count() == before
    assert not OrganisationEvent.objects.exists()


def test_admin_adds_a_member_and_changes_a_role_in_the_browser(client, home_org, org_admin):
    client.force_login(org_admin)
    response = client.post(members_url(home_org), {
        "email": "siv@example.no", "first_name": "Siv", "last_name": "Lie", "role": "employee"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="siv@example.no")
    assert membership.role == Role.EMPLOYEE
    page = client.get(members_url(home_org))
    assert "Siv Lie" in page.content.decode()

    url = reverse("org-member-role", args=[home_org.org_number, membership.pk])
    response = client.post(url, {f"m{membership.pk}-role": "coordinator",
                                 f"m{membership.pk}-unit": ""})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    kinds = list(OrganisationEvent.objects.values_list("kind", flat=True).order_by("id"))
    assert kinds == ["member_added", "role_changed"]


def test_member_add_form_shows_field_errors(client, home_org, org_admin):
    client.force_login(org_admin)
    response = client.post(members_url(home_org), {"email": "not-an-email", "role": "king"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "role"}


def test_admin_cannot_touch_a_membership_of_another_organisation(client, home_org, org_admin,
                                                                  outsider):
    client.force_login(org_admin)
    foreign = Membership.objects.get(user=outsider)
    url = reverse("org-member-role", args=[home_org.org_number, foreign.pk])
    response = client.post(url, {f"m{foreign.pk}-role": "employee"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=foreign.pk).role == Role.ADMIN


def test_admin_creates_and_renames_a_unit(client, home_org, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("org-units", args=[home_org.org_number]),
                           {"name": "Hjemmetjenesten"})
    assert response.status_code == 302
    unit = Unit.objects.get(organisation=home_org)
    response = client.post(reverse("org-unit-edit", args=[home_org.org_number, unit.pk]),
                           {"name": "Hjemmetjenesten Nord", "parent": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Hjemmetjenesten Nord"


NAV_EXPECTED = {
    "employee": ({"Forside", "Katalog"}, {"Organisasjon"}),
    "admin": ({"Forside", "Organisasjon"}, set()),
    "manager": ({"Forside"}, {"Organisasjon"}),
}


@pytest.mark.parametrize("persona", sorted(NAV_EXPECTED))
def test_navigation_shows_what_the_role_allows(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("home"))
    labels = {str(label) for _name, label, _url in response.context["nav_items"]}
    shown, hidden = NAV_EXPECTED[persona]
    assert shown <= labels
    assert not (hidden & labels)


def test_login_page_and_language_switch(client, employee):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Logg inn" in response.content.decode()
    # Somebody without an account can still reach the open catalogue from here.
    assert reverse("projects:catalogue") in response.content.decode()
    client.force_login(employee)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert '<html lang="en"' in response.content.decode()


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["status"] in {"ok", "degraded"}


def test_english_is_a_full_translation_of_the_pages(client, org_admin, home_org):
    client.force_login(org_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    home = client.get(reverse("home")).content.decode()
    assert "Hello," in home and "Manage the organisation" in home and "Log out" in home
    members = client.get(reverse("org-members", args=[home_org.org_number])).content.decode()
    assert "Members and roles" in members and "Medlemmer og roller" not in members
    assert "Medium (5,000–19,999)" in members
