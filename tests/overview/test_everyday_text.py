"""Tab titles and plurals read as Norwegian (issue 16): «Forside – Innoportal», never
«ForsideInnoportal»; «1 organisasjon beregnet», never «1 organisasjoner»."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from indicators import services as indicator_services
from portal.templatetags.page_title import page_title


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_home_tab_title_has_a_separator(client, employee):
    client.force_login(employee)
    assert _title(client.get(reverse("home")).content.decode()) == "Forside – Innoportal"


@pytest.mark.parametrize("name", ["ideas:list", "projects:list", "notifications:centre",
                                  "my-data", "login"])
def test_every_page_title_is_name_dash_site(client, employee, name):
    """The sweep: every page's title ends in « – Innoportal» after a name of its own."""
    if name != "login":
        client.force_login(employee)
    title = _title(client.get(reverse(name)).content.decode())
    assert title.endswith(" – Innoportal") and not title.startswith(" – "), title
    assert "Innoportal – Innoportal" not in title


def test_title_filter_without_a_name_is_the_site_alone_and_escapes_once():
    assert page_title("") == "Innoportal"
    assert page_title("  \n Idéer\n  ") == "Idéer – Innoportal"
    html = Template("{% load page_title %}{% filter page_title %}{{ v }}{% endfilter %}").render(
        Context({"v": "A & B"}))
    assert html == "A &amp; B – Innoportal"


def test_one_recomputed_organisation_is_singular(home_org, org_admin):
    job = indicator_services.indicator_job_create(actor=org_admin, year=2024,
                                                  organisation=home_org)
    job = indicator_services.indicator_job_run(str(job.pk))
    assert job.message == "1 organisasjon beregnet."
