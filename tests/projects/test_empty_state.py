"""Issue 16: an empty project (no benefits, no costs) shows a calm empty state, not the red
«Ingen tilbakebetaling» alarm; with a cost registered the key figures are back."""

from decimal import Decimal

from django.urls import reverse

from projects.models import ProjectCost

ALARM = "Ingen tilbakebetaling"
CALM = "Ingen gevinster eller kostnader er registrert ennå"


def test_an_empty_project_is_calm(client, manager, project):
    client.force_login(manager)
    for url in (reverse("projects:detail", args=[project.pk]),
                reverse("gevinst:project", args=[project.pk])):
        html = client.get(url).content.decode()
        assert ALARM not in html, url
        assert "registrert ennå" in html, url
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert CALM in html


def test_a_project_with_costs_shows_its_key_figures(client, manager, project):
    ProjectCost.objects.create(project=project, category="investment", recurrence="one_off",
                               description="Sensorer", amount_nok=Decimal(1000), year=2026)
    client.force_login(manager)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert CALM not in html and ALARM in html
