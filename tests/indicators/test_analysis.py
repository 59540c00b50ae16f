"""The analysts' page: ranking, distribution and trend numbers on a hand-computed fixture
(inclusive quartiles, as comparison.py), scoping, filters kept in the URL, the CSV downloads,
and a query count that does not grow with the number of organisations."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.analysis import Filters, analysis, histogram, trend_periods
from indicators.models import IndicatorSnapshot, PointScheme, period_bounds
from portal.models import Organisation
from tests.factories import NetworkFactory, OrganisationFactory, UserFactory

URL = reverse("indicators:analysis")

# name: (county, population, points 2025, points 2024 or None); J has no population.
ORGS = {
    "A": ("Innlandet", 2000, 4, 2),
    "B": ("Innlandet", 4000, 8, 8),
    "C": ("Innlandet", 10000, 12, 6),
    "D": ("Innlandet", 50000, 40, 30),
    "E": ("Trøndelag", 1000, 0, None),
    "F": ("Trøndelag", 8000, 20, 24),
    "G": ("Trøndelag", 16000, 16, 10),
    "H": ("Agder", 25000, 28, 20),
    "J": ("Agder", None, 10, 10),
}


def snapshot(org, year, points, quarter=0, benefit=0):
    start, end = period_bounds(year, quarter)
    return IndicatorSnapshot.objects.create(
        organisation=org, year=year, quarter=quarter, period_start=start, period_end=end,
        scheme=PointScheme.objects.get(name="standard", version=1), computed_at=timezone.now(),
        points=Decimal(points), benefit_points=Decimal(benefit))


@pytest.fixture
def orgs(db):
    out = {}
    for name, (county, population, now, before) in ORGS.items():
        org = OrganisationFactory(name=f"Kommune {name}", county=county, population=population)
        snapshot(org, 2025, now, benefit=now / 4)
        if before is not None:
            snapshot(org, 2024, before)
        out[name] = org
    # Not a municipality: left out of the default view, even with the most points.
    trust = OrganisationFactory(name="Helseforetaket", kind="health_trust", county="Innlandet",
                                population=400000)
    snapshot(trust, 2025, 100)
    return out


def run(user, **filters):
    return analysis(user=user, filters=Filters(**{"year": 2025, **filters}))


def stats(d):
    return (d.label, d.count, d.minimum, d.q1, d.median, d.q3, d.maximum)


def test_ranking_ranks_by_value_with_the_change_from_the_year_before(national_analyst, orgs):
    result = run(national_analyst)
    assert [(r.name[-1], r.rank, r.value, r.change) for r in result.ranking] == [
        ("D", 1, 40, 10), ("H", 2, 28, 8), ("F", 3, 20, -4), ("G", 4, 16, 6),
        ("C", 5, 12, 6), ("J", 6, 10, 0), ("B", 7, 8, 0), ("A", 8, 4, 2), ("E", 9, 0, None)]


def test_quartiles_overall_per_size_class_and_per_county_by_hand(national_analyst, orgs):
    result = run(national_analyst)
    # 0 4 8 10 12 16 20 28 40: inclusive quartiles at positions 2, 4 and 6 of 0..8.
    assert stats(result.overall) == ("Alle", 9, 0, 8, 12, 20, 40)
    assert [stats(d) for d in result.by_size_class] == [
        ("Liten (under 5 000)", 3, 0, 2, 4, 6, 8),            # 0 4 8
        ("Mellomstor (5 000–19 999)", 3, 12, 14, 16, 18, 20),  # 12 16 20
        ("Stor (20 000 og over)", 2, 28, 31, 34, 37, 40),      # 28 40
        ("Ukjent", 1, 10, 10, 10, 10, 10),
    ]
    assert [stats(d) for d in result.by_county] == [
        ("Innlandet", 4, 4, 7, 10, 19, 40),    # 4 8 12 40: positions 0.75, 1.5, 2.25
        ("Agder", 2, 10, 14.5, 19, 23.5, 28),
        ("Trøndelag", 3, 0, 8, 16, 18, 20),
    ]


def test_histogram_has_round_equal_width_bins(national_analyst, orgs):
    # Range 0–40 in about ten bins: width 5 (1, 2 or 5 × a power of ten), [low, high).
    bins = run(national_analyst).histogram
    assert [(b.low, b.high, b.count) for b in bins] == [
        (0, 5, 2), (5, 10, 1), (10, 15, 2), (15, 20, 1), (20, 25, 1), (25, 30, 1),
        (30, 35, 0), (35, 40, 0), (40, 45, 1)]
    assert bins[0].label == "0–5"
    # Width 0.05 for a range of 0.41; edges are exact despite binary floating point.
    assert [(b.low, b.count) for b in histogram([0.3, 0.5, 0.71])] == [
        (0.3, 1), (0.35, 0), (0.4, 0), (0.45, 0), (0.5, 1), (0.55, 0), (0.6, 0), (0.65, 0),
        (0.7, 1)]
    assert [(b.low, b.count) for b in histogram([7, 7])] == [(7, 2)]


def test_trend_has_median_and_quartiles_per_period_and_group(national_analyst, orgs):
    result = run(national_analyst)
    assert result.period_labels == ["2021", "2022", "2023", "2024", "2025"]
    everyone = result.trends[0]
    assert everyone.points[:3] == [None, None, None]
    # 2024: 2 6 8 10 10 20 24 30 → positions 1.75, 3.5, 5.25.
    assert (everyone.points[3].q1, everyone.points[3].median, everyone.points[3].q3) == (
        7.5, 10, 21)
    assert (everyone.points[4].q1, everyone.points[4].median, everyone.points[4].q3) == (
        8, 12, 20)
    small = next(s for s in result.trends if s.label.startswith("Liten"))
    assert (small.points[3].count, small.points[3].median) == (2, 5)  # 2 and 8
    by_county = run(national_analyst, trend_by="county")
    assert [s.label for s in by_county.trends] == ["Alle", "Innlandet", "Agder", "Trøndelag"]


def test_per_inhabitant_ranks_per_1000_and_leaves_out_unknown_population(national_analyst,
                                                                          orgs):
    result = run(national_analyst, per_capita=True)
    assert result.without_population == 1
    assert [(r.name[-1], r.rank, round(r.value, 2)) for r in result.ranking] == [
        ("F", 1, 2.5), ("A", 2, 2), ("B", 2, 2), ("C", 4, 1.2), ("H", 5, 1.12),
        ("G", 6, 1), ("D", 7, 0.8), ("E", 8, 0)]  # ties share the rank


def test_filters_narrow_the_organisations_and_measure(national_analyst, orgs):
    assert [r.name[-1] for r in run(national_analyst, county="Trøndelag",
                                     size_class="medium").ranking] == ["F", "G"]
    assert run(national_analyst, measure="benefit_points").ranking[0].value == 10  # D: 40/4
    assert [r.name for r in run(national_analyst, kind="health_trust").ranking] == [
        "Helseforetaket"]


def test_sorting_by_name_and_by_change(national_analyst, orgs):
    assert [r.name[-1] for r in run(national_analyst, sort="-name").ranking][:3] == [
        "J", "H", "G"]
    by_change = [r.name[-1] for r in run(national_analyst, sort="-change").ranking]
    assert by_change[0] == "D" and by_change[-1] == "E"  # no previous year: last
    assert [r.name[-1] for r in run(national_analyst, sort="change").ranking][:1] == ["F"]


def test_quarter_trend_is_the_last_eight_quarters():
    assert trend_periods(2025, 3) == [(2023, 4), (2024, 1), (2024, 2), (2024, 3), (2024, 4),
                                      (2025, 1), (2025, 2), (2025, 3)]
    assert trend_periods(2025, 0) == [(y, 0) for y in range(2021, 2026)]


def test_quarter_view_reads_quarter_snapshots(national_analyst, orgs):
    snapshot(orgs["A"], 2025, 6, quarter=3)
    snapshot(orgs["A"], 2024, 1, quarter=3)
    snapshot(orgs["B"], 2024, 9, quarter=4)
    result = run(national_analyst, quarter=3)
    assert [(r.name, r.value, r.change) for r in result.ranking] == [("Kommune A", 6, 5)]
    assert result.period_labels[0] == "2023 K4" and result.trends[0].points[1] is None
    assert result.trends[0].points[4].median == 9  # 2024 K4: B only


# --- the page -------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302), ("employee", 403), ("manager", 403), ("admin", 403),
    ("network_analyst", 200), ("national_analyst", 200), ("superuser", 200),
])
def test_who_may_open_the_analysis(client, personas, network_analyst, national_analyst,
                                   orgs, persona, expected):
    users = {**personas, "network_analyst": network_analyst,
             "national_analyst": national_analyst,
             "superuser": UserFactory(username="operator", is_superuser=True)}
    if users[persona]:
        client.force_login(users[persona])
    response = client.get(URL, {"year": 2025})
    assert response.status_code == expected
    if expected == 403:
        assert b"Kommune D" not in response.content


def test_network_analyst_sees_only_the_network_members(client, db, orgs):
    analyst = UserFactory(username="regional")
    network = NetworkFactory(name="Region sør")
    network.organisations.set([orgs["A"], orgs["E"], orgs["H"]])
    network.analysts.add(analyst)
    client.force_login(analyst)
    response = client.get(URL, {"year": 2025})
    assert [r.name[-1] for r in response.context["result"].ranking] == ["H", "A", "E"]
    html = response.content.decode()
    assert "Kommune H" in html and "Kommune D" not in html
    csv = b"".join(client.get(URL, {"year": 2025, "download": "ranking"})
                   .streaming_content).decode("utf-8-sig")
    assert "Kommune D" not in csv and len(csv.splitlines()) == 4
    # A network the analyst does not analyse cannot be chosen.
    other = NetworkFactory(name="Annet nettverk")
    assert client.get(URL, {"year": 2025, "network": other.pk}).status_code == 400


def test_network_filter_for_national_analysts(client, national_analyst, orgs):
    network = NetworkFactory(name="Innlandsnettverket")
    network.organisations.set([orgs["C"], orgs["D"]])
    client.force_login(national_analyst)
    response = client.get(URL, {"year": 2025, "network": network.pk})
    assert [r.name[-1] for r in response.context["result"].ranking] == ["D", "C"]
    assert "Nettverk: Innlandsnettverket" in response.content.decode()


def test_filters_round_trip_in_the_url(client, national_analyst, orgs):
    client.force_login(national_analyst)
    params = {"year": "2025", "measure": "benefit_points", "county": "Innlandet",
              "per_capita": "on", "trend_by": "county", "sort": "-name"}
    response = client.get(URL, params)
    html = response.content.decode()
    assert '<option value="benefit_points" selected>' in html
    assert '<option value="Innlandet" selected>' in html
    assert 'name="per_capita" id="id_per_capita" checked' in html
    assert '<input type="hidden" name="sort" value="-name"' in html
    # Sort links and downloads carry every filter; the active column flips direction.
    assert ("?year=2025&amp;measure=benefit_points&amp;county=Innlandet&amp;per_capita=on"
            "&amp;trend_by=county&amp;sort=name") in html
    assert 'aria-sort="descending"' in html
    assert ("sort=-name&amp;download=trend") in html
    assert [r.name[-1] for r in response.context["result"].ranking] == ["D", "C", "B", "A"]


def test_the_ranking_is_paginated_with_the_filters_kept(client, national_analyst, orgs):
    for n in range(55):
        snapshot(OrganisationFactory(name=f"Ekstra {n:02}", population=3000), 2025, 1)
    client.force_login(national_analyst)
    response = client.get(URL, {"year": 2025, "county": "Innlandet"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (59, 50)
    assert "?year=2025&amp;county=Innlandet&amp;page=2" in response.content.decode()
    second = client.get(URL, {"year": 2025, "county": "Innlandet", "page": 2})
    assert len(second.context["page"].object_list) == 9


def test_bad_filters_get_a_clear_error(client, national_analyst, orgs):
    client.force_login(national_analyst)
    for params in ({"year": "abc"}, {"year": 1900}, {"sort": "price"}, {"measure": "x"},
                   {"county": "Atlantis"}, {"quarter": 7}):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert "Valgene over er ugyldige" in response.content.decode()


def test_default_period_is_the_latest_year_with_snapshots(client, national_analyst, orgs):
    client.force_login(national_analyst)
    response = client.get(URL)
    assert response.context["filters"].year == 2025
    assert 'name="year" value="2025"' in response.content.decode()  # and the form says so


def test_empty_period_says_so(client, national_analyst, orgs):
    client.force_login(national_analyst)
    response = client.get(URL, {"year": 2019})
    assert "ingen beregnede indikatorer" in response.content.decode()


def test_csv_downloads_hold_the_charts_numbers(client, national_analyst, orgs):
    client.force_login(national_analyst)

    def rows(kind, **extra):
        response = client.get(URL, {"year": 2025, "download": kind, **extra})
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return [line.split(";") for line in text.splitlines()]

    ranking = rows("ranking")
    assert ranking[0] == ["Plass", "Organisasjonsnummer", "Navn", "Fylke", "Størrelse",
                          "Innbyggere", "Aktivitetspoeng", "Forrige år", "Endring"]
    assert ranking[1] == ["1", orgs["D"].org_number, "Kommune D", "Innlandet",
                          "Stor (20 000 og over)", "50000", "40,0", "30,0", "10,0"]
    assert ranking[-1][-2:] == ["", ""]  # E: no previous year
    assert len(ranking) == 10
    histogram_rows = rows("histogram")
    assert [r[2] for r in histogram_rows[1:]] == ["2", "1", "2", "1", "1", "1", "0", "0", "1"]
    quartiles = rows("distribution")
    # The sum is docs/domain.md's aggregate of the group.
    assert quartiles[1] == ["Alle", "Alle", "9", "0,0", "8,0", "12,0", "20,0", "40,0", "138,0"]
    assert ["Fylke", "Agder", "2", "10,0", "14,5", "19,0", "23,5", "28,0", "38,0"] in quartiles
    trend = rows("trend")
    assert trend[0] == ["Gruppe", "Periode", "Antall", "Min.", "1. kvartil", "Median",
                        "3. kvartil", "Maks.", "Sum"]
    assert ["Alle", "2024", "8", "2,0", "7,5", "10,0", "21,0", "30,0", "110,0"] in trend
    per_capita = rows("ranking", per_capita="on")
    assert per_capita[0][6] == "Aktivitetspoeng per 1000 innbyggere"
    assert per_capita[1][2] == "Kommune F"
    # A sum of values per inhabitant means nothing: left empty.
    assert rows("distribution", per_capita="on")[1][-1] == ""


def test_page_has_charts_with_tables_and_downloads(client, national_analyst, orgs):
    client.force_login(national_analyst)
    html = client.get(URL, {"year": 2025}).content.decode()
    for canvas in ("histogram-chart", "trend-chart"):
        assert f'id="{canvas}"' in html
    assert html.count("<details>") == 2  # the charts' tables
    for kind in ("ranking", "histogram", "distribution", "trend"):
        assert f"download={kind}" in html
    assert 'id="analysis-chart-data"' in html and "indicators/analysis.js" in html
    assert "<script>" not in html.replace('<script id="analysis-chart-data"', "")


def test_navigation_shows_analysis_to_analysts_only(client, national_analyst, manager, orgs):
    client.force_login(national_analyst)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(manager)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def _add_organisations(count, start):
    for n in range(count):
        org = OrganisationFactory(name=f"Ekstra {start + n}", population=1000 + 997 * n,
                                  county=("Agder", "Troms", "Oslo")[n % 3])
        for year in (2023, 2024, 2025):
            snapshot(org, year, n + year - 2023)


@pytest.mark.parametrize("who", ["national_analyst", "network_analyst"])
def test_query_count_does_not_grow_with_the_organisations(client, who, request, orgs):
    user = request.getfixturevalue(who)
    if who == "network_analyst":
        network = user.analysed_networks.get()
    client.force_login(user)
    params = {"year": 2025, "trend_by": "county", "per_capita": "on", "page": 1}

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    _add_organisations(5, 0)
    small = count()
    _add_organisations(60, 5)
    if who == "network_analyst":
        network.organisations.add(*Organisation.objects.all())
    large = count()
    assert small == large
    # session, user, memberships, the header's unread notices, the networks to choose, the
    # snapshots; and for a network analyst whether they analyse any network
    assert large == (6 if who == "national_analyst" else 7)
    assert len(client.get(URL, params).context["result"].ranking) > 60
