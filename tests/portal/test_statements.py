"""The accessibility and privacy statements (portal.statements): public, editable by the
organisation's administrators only, plain text that never becomes HTML, audited."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from portal.models import OrganisationStatement, StatementKind
from portal.statements import render_statement

KINDS = [("accessibility", "Tilgjengelighetserklæring"), ("privacy", "Personvernerklæring")]


def page_url(kind, org):
    return reverse(f"{kind}-statement", args=[org.org_number])


def edit_url(kind, org):
    return reverse(f"org-{kind}-edit", args=[org.org_number])


@pytest.mark.parametrize("kind, title", KINDS)
def test_anonymous_reads_the_default_statement(client, home_org, kind, title):
    response = client.get(page_url(kind, home_org))
    assert response.status_code == 200
    page = response.content.decode()
    assert title in page and home_org.name in page and "standardtekst" in page
    assert "<h2" in page  # the default's «## » headings


@pytest.mark.parametrize("kind, title", KINDS)
def test_the_index_lists_every_organisation_for_anonymous(client, home_org, other_org, kind,
                                                          title):
    page = client.get(reverse(f"{kind}-index")).content.decode()
    assert page_url(kind, home_org) in page and page_url(kind, other_org) in page


def test_an_unknown_organisation_is_a_404(client, db):
    assert client.get("/accessibility/000000000/").status_code == 404


def test_the_footer_links_the_members_own_statements(client, home_org, employee):
    page = client.get(reverse("login")).content.decode()
    assert reverse("accessibility-index") in page and reverse("privacy-index") in page
    client.force_login(employee)
    page = client.get(reverse("home")).content.decode()
    assert page_url("accessibility", home_org) in page and page_url("privacy", home_org) in page


@pytest.mark.parametrize("kind, _title", KINDS)
def test_the_admin_edits_and_resets_the_statement(client, home_org, org_admin, kind, _title):
    client.force_login(org_admin)
    assert client.get(edit_url(kind, home_org)).status_code == 200
    response = client.post(edit_url(kind, home_org), {"body": "Vår egen tekst.\n\n## Kontakt\n"
                                                              "- post@kommune.no"})
    assert response.status_code == 302
    row = OrganisationStatement.objects.get(organisation=home_org, kind=kind)
    assert row.updated_by == org_admin
    page = client.get(page_url(kind, home_org)).content.decode()
    assert "Vår egen tekst." in page and "<li>post@kommune.no</li>" in page
    assert "standardtekst" not in page
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.actor == org_admin and entry.additional_data == {"organisation": home_org.pk}

    response = client.post(edit_url(kind, home_org), {"body": "x", "reset": "1"})
    assert response.status_code == 302
    assert not OrganisationStatement.objects.exists()
    assert "standardtekst" in client.get(page_url(kind, home_org)).content.decode()


def test_html_in_the_text_is_shown_as_text(client, home_org, org_admin):
    client.force_login(org_admin)
    client.post(edit_url("privacy", home_org), {
        "body": '<script>alert(1)</script>\n\n## <img src=x onerror=alert(2)>\n- <b>fet</b>'})
    client.logout()
    page = client.get(page_url("privacy", home_org)).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>fet" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_render_statement_makes_paragraphs_headings_and_lists():
    html = render_statement("Først\nlinje to\n\n## Tittel\n- a\n- b\nEtter")
    assert html == ("<p>Først<br>linje to</p>\n"
                    '<h2 class="ds-heading" data-size="sm">Tittel</h2>\n'
                    "<ul><li>a</li><li>b</li></ul>\n<p>Etter</p>")


@pytest.mark.parametrize("body, message", [("   ", "Dette feltet er påkrevd."),
                                           ("x" * 20_001, "20000")])
def test_an_empty_or_too_long_text_is_a_form_error(client, home_org, org_admin, body,
                                                   message):
    client.force_login(org_admin)
    response = client.post(edit_url("accessibility", home_org), {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OrganisationStatement.objects.exists()


@pytest.mark.parametrize("persona, expected", [("employee", 403), ("manager", 403),
                                               ("outsider", 404)])
def test_only_the_organisations_admin_may_edit(client, personas, home_org, persona, expected):
    client.force_login(personas[persona])
    response = client.post(edit_url("accessibility", home_org), {"body": "Ny tekst"})
    assert response.status_code == expected
    assert not OrganisationStatement.objects.exists()


def test_the_edit_link_shows_for_the_admin_only(client, home_org, org_admin, manager):
    client.force_login(manager)
    assert edit_url("privacy", home_org) not in client.get(
        page_url("privacy", home_org)).content.decode()
    client.force_login(org_admin)
    assert edit_url("privacy", home_org) in client.get(
        page_url("privacy", home_org)).content.decode()
    assert StatementKind.PRIVACY.label == "Personvernerklæring"
