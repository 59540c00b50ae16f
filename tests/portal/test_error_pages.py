"""Issue 16, «No dead ends»: 403, 404 (and a refused form) answer with the site's own page —
header and navigation, the user's language, a one-line reason and a link home — not Django's
bare English page."""

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Project

HOME = reverse("home")


def assert_site_page(response, status, *, language="nb"):
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}"' in html
    assert "<header" in html and "<main" in html  # the site's layout, not a bare page
    assert f'href="{HOME}"' in html
    assert html.count('class="ds-paragraph error-reason"') == 1
    return html


def test_a_missing_page_is_the_sites_404_in_norwegian(client, employee):
    client.force_login(employee)
    html = assert_site_page(client.get("/dette-finnes-ikke/"), 404)
    assert "Fant ikke siden" in html and "Til forsiden" in html


def test_another_organisations_project_is_a_404_without_the_models_name(client, outsider,
                                                                        home_org):
    from initiatives.models import Initiative

    initiative = Initiative.objects.create(organisation=home_org, title="Hemmelig")
    project = Project.objects.create(initiative=initiative, organisation=home_org,
                                     title="Hemmelig", need="Behov")
    client.force_login(outsider)
    html = assert_site_page(client.get(reverse("projects:detail", args=[project.pk])), 404)
    assert "Hemmelig" not in html and "matches the given query" not in html


def test_a_forbidden_page_is_the_sites_403_with_a_reason(client, employee):
    client.force_login(employee)
    html = assert_site_page(client.get(reverse("indicators:home")), 403)
    assert "Du har ikke tilgang til denne siden" in html
    assert "Spør en administrator" in html


@pytest.mark.parametrize("status, path, heading", [
    (404, "/dette-finnes-ikke/", "Page not found"),
    (403, "/indicators/", "You do not have access to this page"),
])
def test_error_pages_speak_the_users_language(client, employee, status, path, heading):
    employee.language = "en"
    employee.save()
    client.force_login(employee)
    html = assert_site_page(client.get(path), status, language="en")
    assert heading in html and "To the home page" in html


def test_a_refused_form_says_what_to_do(employee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = client.post(reverse("ideas:create"), {"title": "Uten CSRF"})
    html = assert_site_page(response, 403)
    assert "last inn siden på nytt" in html
