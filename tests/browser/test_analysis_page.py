"""Issue 7 in the browser: a national analyst opens the analysis page, the charts are drawn
under the strict CSP, choosing filters puts them in the URL, and axe finds no WCAG 2.1 A/AA
violations."""

from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import IndicatorSnapshot, PointScheme, period_bounds
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_page_draws_charts_keeps_filters_in_the_url_and_passes_axe(open_page):
    scheme = PointScheme.objects.get(name="standard", version=1)
    for n, (county, population) in enumerate([("Innlandet", 2000), ("Innlandet", 9000),
                                              ("Agder", 30000), ("Agder", 12000)]):
        org = OrganisationFactory(name=f"Kommune {n}", county=county, population=population)
        for year in (2023, 2024, 2025):
            start, end = period_bounds(year)
            IndicatorSnapshot.objects.create(
                organisation=org, year=year, period_start=start, period_end=end, scheme=scheme,
                computed_at=timezone.now(), points=Decimal(4 * n + year - 2023))
    analyst = UserFactory(username="analytiker", is_national_analyst=True)
    page = open_page(analyst)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Analyse", exact=True).click()
    assert "Kommune 3" in page.locator("#ranking").inner_text()
    for canvas in ("histogram-chart", "trend-chart"):
        drawn = page.evaluate("id => { const c = document.getElementById(id);"
                              " return c.width > 0 && c.toDataURL().length > 3000; }", canvas)
        assert drawn, canvas

    page.get_by_label("Fylke").select_option("Agder")
    page.get_by_label("Per 1000 innbyggere").check()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**county=Agder**")
    assert "per_capita=on" in page.url
    page.get_by_role("link", name="Organisasjon", exact=True).click()
    page.wait_for_url("**sort=name**")
    assert "county=Agder" in page.url
    assert page.locator("#ranking tbody tr").count() == 2
    assert not [e for e in errors if "Content Security Policy" in e], errors

    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target)"
        ".join(' '))")
    assert violations == []
