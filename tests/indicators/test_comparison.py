"""The comparison with peers: quartiles by a hand-computed example, the peer groups, the page."""

import pytest

from indicators import services
from indicators.comparison import comparison, spread
from tests.factories import OrganisationFactory
from tests.indicators.helpers import make_initiative


def test_quartiles_rank_and_quarter_on_a_hand_computed_example():
    # 1..8: inclusive quartiles are 1 + (8-1)·p → positions 2.75, 4.5, 6.25.
    s = spread([5, 1, 8, 3, 2, 7, 4, 6], own=7)
    assert (s.count, s.minimum, s.q1, s.median, s.q3, s.maximum) == (8, 1, 2.75, 4.5, 6.25, 8)
    assert (s.rank, s.quartile) == (2, 4)
    assert spread([1, 2, 3, 4, 5, 6, 7, 8], own=1).quartile == 1
    alone = spread([3.5], own=3.5)
    assert (alone.q1, alone.median, alone.q3, alone.rank) == (3.5, 3.5, 3.5, 1)


@pytest.fixture
def peers(db):
    # Three small municipalities in Innlandet, one small in Trøndelag, one large in Innlandet.
    small = [OrganisationFactory(population=p, county="Innlandet") for p in (2000, 3000, 4000)]
    other_county = OrganisationFactory(population=2500, county="Trøndelag")
    large = OrganisationFactory(population=60000, county="Innlandet")
    for org, pilots in zip([*small, other_county, large], [1, 2, 3, 4, 10]):
        for _ in range(pilots):
            make_initiative(org, [("pilot", "2024-03-01")])  # 4 points each
    services.indicators_recompute(year=2024)
    return small, other_county, large


def test_peer_groups_are_the_same_size_class_and_the_same_county(peers):
    small, other_county, large = peers
    size, county = comparison(small[1], year=2024, quarter=0)
    points = {g.title: next(s for s in g.spreads if s.measure == "points")
              for g in (size, county)}
    by_size = points[size.title]
    assert (by_size.count, by_size.own, by_size.median, by_size.rank) == (4, 8, 10, 3)
    assert (by_size.q1, by_size.q3) == (7, 13)  # 4, 8, 12, 16
    by_county = points[county.title]
    assert (by_county.count, by_county.median, by_county.maximum) == (4, 10, 40)
    assert comparison(small[1], year=2023, quarter=0) == []  # no snapshot, no comparison


def test_the_indicator_page_shows_where_the_municipality_stands(client, peers):
    from portal.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    small, _other, _large = peers
    manager = MembershipFactory(user=UserFactory(), organisation=small[1],
                                role=Role.MANAGER).user
    client.force_login(manager)
    page = client.get("/indicators/", {"year": 2024}).content.decode()
    assert "Sammenlignet med andre" in page and "comparison-chart" in page
    assert "3 av 4" in page


def test_indicator_export_has_the_permitted_rows_and_a_data_dictionary(client, peers):
    import io

    from openpyxl import load_workbook

    from portal.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    small, _other, _large = peers
    manager = MembershipFactory(user=UserFactory(), organisation=small[0],
                                role=Role.MANAGER).user
    client.force_login(manager)
    response = client.get("/indicators/export/", {"year": 2024, "format": "xlsx"})
    data, dictionary = load_workbook(io.BytesIO(response.content)).worksheets
    rows = list(data.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [small[0].org_number]  # only its own organisation
    header = [c.value for c in data[1]]
    assert rows[0][header.index("Aktivitetspoeng")] == 4
    assert [r[0] for r in dictionary.iter_rows(min_row=2, values_only=True)] == header
    text = b"".join(client.get("/indicators/export/", {"year": 2024}).streaming_content)
    assert text.decode("utf-8-sig").splitlines()[1].startswith(small[0].org_number)


def test_the_indicator_export_speaks_norwegian_not_the_apis_codes(client, peers):
    """Issue 16: the export said `org_number;size_class;…;medium;preliminary`. People get
    the labels and Norwegian dates; machines keep the API's CSV."""
    import csv
    import io

    from portal.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    small, _other, _large = peers
    manager = MembershipFactory(user=UserFactory(), organisation=small[0],
                                role=Role.MANAGER).user
    client.force_login(manager)
    text = b"".join(client.get("/indicators/export/", {"year": 2024}).streaming_content)
    header, row = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    values = dict(zip(header, row, strict=True))
    assert header[:4] == ["Organisasjonsnummer", "Organisasjon", "Størrelse", "Fylke"]
    assert values["Størrelse"] == "Liten (under 5 000)" and values["Status"] == "Foreløpig"
    assert (values["Periode fra"], values["Periode til"]) == ("01.01.2024", "31.12.2024")
    assert values["Utprøving (antall)"] == "1" and values["Beregnet for perioden"] == "Ja"
    assert not any(name in header for name in ("org_number", "size_class", "points"))


def test_comparison_tables_show_kroner_whole_with_thousands_separators():
    from portal.templatetags.formatting import num

    kroner = spread([1_234_567.4, 2_000_000.6], own=1_234_567.4, measure="realised_nok_per_year")
    assert num(kroner.own, kroner.places) == "1\u00a0234\u00a0567"
    points = spread([1.256, 2], own=1.256, measure="points")
    assert num(points.own, points.places) == "1,26"


def test_each_chart_on_the_indicator_page_downloads_its_numbers(client, peers):
    from portal.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    small, _other, _large = peers
    manager = MembershipFactory(user=UserFactory(), organisation=small[1],
                                role=Role.MANAGER).user
    client.force_login(manager)
    html = client.get("/indicators/", {"year": 2024}).content.decode()
    query = f"?organisation={small[1].org_number}&amp;year=2024&amp;quarter="
    for kind in ("phases", "history", "comparison"):
        assert f"{query}&amp;download={kind}" in html

    def rows(kind):
        response = client.get("/indicators/", {"year": 2024, "download": kind})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return [line.split(";") for line in text.splitlines()]

    assert ["Utprøving", "2", "4"] in rows("phases")  # two pilots at 4 points
    assert rows("history")[1][:2] == ["2024", "8,0"]
    comparison_rows = rows("comparison")
    # Same size class: 4, 8, 12, 16 — it has 8, third of four; quartiles 7 and 13.
    assert comparison_rows[1][2:] == ["4", "8,00", "3", "4,00", "7,00", "10,00", "13,00", "16,00"]
