"""The manager's dashboard: its numbers equal the data behind them, the attention list finds
what waits, unit drill-down, access, and a query count that does not grow with the portfolio."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gevinst import calculations
from gevinst import selectors as gevinst_selectors
from gevinst.history import measurement_add
from gevinst.models import Benefit
from overview.dashboard import manager_dashboard
from projects.models import Project, ProjectCost, ProjectMilestone
from tests.factories import UnitFactory
from tests.indicators.helpers import make_initiative

TODAY = datetime.date(2026, 6, 15)


def add_benefit(project, **fields):
    data = dict(title="Spart tid", type="time_saved", dimension="organisational",
                unit="timer/uke", direction="decrease", baseline_value=Decimal(40),
                baseline_on=datetime.date(2025, 1, 1), target_value=Decimal(30),
                target_on=datetime.date(2026, 1, 1), nok_per_unit=Decimal(300),
                periods_per_year=Decimal(52))
    data.update(fields)
    return Benefit.objects.create(project=project, **data)


@pytest.fixture
def portfolio(home_org, manager):
    care = UnitFactory(organisation=home_org, name="Helse og omsorg")
    home_care = UnitFactory(organisation=home_org, name="Hjemmetjenesten", parent=care)
    school = UnitFactory(organisation=home_org, name="Skole")
    old_pilot = make_initiative(home_org, [("concept", "2024-01-10"), ("pilot", "2024-06-01")],
                                title="Gammel utprøving")
    old_pilot.unit = home_care
    old_pilot.save()
    fresh = make_initiative(home_org, [("concept", "2026-02-01"), ("pilot", "2026-04-01")],
                            title="Ny utprøving")
    fresh.unit = school
    fresh.save()
    make_initiative(home_org, [("idea", "2026-03-01")], project=False, title="Idé")
    benefit = add_benefit(old_pilot, owner=manager)
    measurement_add(benefit=benefit, measured_on=datetime.date(2026, 3, 1), value=Decimal(35))
    add_benefit(fresh, title="Bedre søvn", type="quality", unit="poeng (skala)",
                direction="increase", baseline_value=Decimal(3), target_value=Decimal(4),
                nok_per_unit=None, periods_per_year=None, status="realised")
    ProjectMilestone.objects.create(project=fresh, title="Avtale signert",
                                    due_on=datetime.date(2026, 5, 1))
    ProjectCost.objects.create(project=old_pilot, category="investment", recurrence="one_off",
                               description="Sensorer", amount_nok=Decimal(120000), year=2025)
    ProjectCost.objects.create(project=old_pilot, category="operations", recurrence="annual",
                               description="Lisens", amount_nok=Decimal(30000), year=2025)
    return care, school, old_pilot, fresh


def test_numbers_follow_the_portfolio(portfolio, home_org):
    data = manager_dashboard(home_org, today=TODAY)
    counts = {r["phase"]: (r["count"], r["points"]) for r in data["funnel"]}
    assert counts["pilot"] == (2, 8) and counts["idea"] == (1, 1) and counts["concept"] == (0, 0)
    flow = {r["label"]: r["moves"] for r in data["flow"]}
    assert flow["2026 K1"] == 0 and flow["2026 K2"] == 1 and flow["2024 K3"] == 0
    # Eight quarters back from 2026 Q2 start in 2024 Q3: the 2024-06-01 move is before them.
    assert list(flow)[0] == "2024 K3" and sum(flow.values()) == 1
    benefits = data["benefits"]
    assert benefits["planned_nok"] == 10 * 300 * 52  # 40 → 30 hours a week
    assert benefits["realised_nok"] == 5 * 300 * 52  # 40 → 35 so far
    assert (benefits["hours_planned"], benefits["hours_realised"]) == (520, 260)
    assert benefits["quality"] == {"total": 1, "realised": 1}
    # Costs against benefit: the same numbers as the benefits app's portfolio service.
    expected = gevinst_selectors.portfolio(Project.objects.filter(organisation=home_org))
    mine = data["cost_benefit"]
    assert (mine.net_annual.value, mine.payback_years.value) == (
        expected["total"].net_annual.value, expected["total"].payback_years.value)
    assert mine.net_annual.value == 5 * 300 * 52 - 30000


def test_attention_lists_what_waits(portfolio, home_org):
    _care, _school, old_pilot, fresh = portfolio
    attention = manager_dashboard(home_org, today=TODAY)["attention"]
    assert [c.initiative_id for c in attention.long_pilots] == [old_pilot.initiative_id]
    assert [m.project for m in attention.overdue_milestones] == [fresh]
    assert [b.title for b in attention.benefits_without_owner] == []  # realised: done
    add_benefit(fresh, title="Uten eier")
    attention = manager_dashboard(home_org, today=TODAY)["attention"]
    assert [b.title for b in attention.benefits_without_owner] == ["Uten eier"]


def test_a_unit_shows_itself_and_the_units_below(portfolio, home_org):
    care, school, _old, _fresh = portfolio
    in_care = {r["phase"]: r["count"] for r in manager_dashboard(home_org, unit=care,
                                                                 today=TODAY)["funnel"]}
    assert in_care["pilot"] == 1 and in_care["idea"] == 0
    assert manager_dashboard(home_org, unit=school, today=TODAY)["benefits"]["planned_nok"] == 0


def test_costs_follow_the_unit_and_a_unit_without_initiatives_reads_zeros(portfolio, home_org):
    care, school, _old, _fresh = portfolio
    in_care = manager_dashboard(home_org, unit=care, today=TODAY)
    assert (in_care["cost_benefit"].one_off_costs, in_care["cost_benefit"].annual_costs) == (
        120000, 30000)
    assert in_care["cost_benefit"].net_annual.value == 5 * 300 * 52 - 30000
    assert manager_dashboard(home_org, unit=school, today=TODAY)["cost_benefit"].annual_costs == 0
    empty = manager_dashboard(home_org, unit=UnitFactory(organisation=home_org, name="Tom"),
                              today=TODAY)
    assert {r["count"] for r in empty["funnel"]} == {0}
    assert {r["moves"] for r in empty["flow"]} == {0} and len(empty["flow"]) == 8
    assert (empty["cost_benefit"].one_off_costs, empty["cost_benefit"].annual_costs) == (0, 0)
    assert empty["benefits"]["planned_nok"] == empty["benefits"]["realised_nok"] == 0
    assert empty["attention"].total == 0


def test_each_forward_move_counts_in_its_own_quarter(portfolio, home_org):
    make_initiative(home_org, [("concept", "2025-01-01"), ("pilot", "2025-03-31"),
                               ("implementation", "2025-04-01")], title="Grensetilfelle")
    flow = {r["label"]: r["moves"] for r in manager_dashboard(home_org, today=TODAY)["flow"]}
    assert (flow["2025 K1"], flow["2025 K2"], flow["2026 K2"]) == (1, 1, 1)
    assert sum(flow.values()) == 3


def test_benefits_without_an_owner_are_the_first_ten_by_title(client, manager, portfolio):
    _care, _school, old_pilot, fresh = portfolio
    for n in reversed(range(12)):
        add_benefit(fresh if n % 2 else old_pilot, title=f"Uten eier {n:02d}")
    add_benefit(fresh, title="Uten eier 00 men avsluttet", status="not_realised")
    attention = manager_dashboard(fresh.organisation, today=TODAY)["attention"]
    assert [b.title for b in attention.benefits_without_owner] == [
        f"Uten eier {n:02d}" for n in range(10)]
    assert [b.project.title for b in attention.benefits_without_owner[:2]] == [
        old_pilot.title, fresh.title]
    client.force_login(manager)
    html = client.get("/dashboard/").content.decode()
    first = attention.benefits_without_owner[0]
    assert f'href="/benefits/{first.pk}/">Uten eier 00</a> – {old_pilot.title}' in html

def test_query_count_does_not_grow_with_the_portfolio(portfolio, home_org, manager):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            manager_dashboard(home_org, today=TODAY)
        return len(captured)

    before = queries()
    for n in range(5):
        project = make_initiative(home_org, [("concept", "2025-01-01"), ("pilot", "2025-02-01")],
                                  title=f"Ekstra {n}")
        add_benefit(project, owner=manager)
        ProjectMilestone.objects.create(project=project, title="M", due_on=TODAY)
    assert queries() == before


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302), ("employee", 403), ("project_leader", 403), ("coordinator", 200),
    ("manager", 200), ("admin", 200),
])
def test_dashboard_page_by_role(client, personas, portfolio, persona, expected):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    response = client.get("/dashboard/")
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "Gammel utprøving" in page and "funnel-chart" in page


def test_another_municipalitys_manager_sees_only_their_own(client, outsider, portfolio):
    client.force_login(outsider)
    page = client.get("/dashboard/", {"organisation": portfolio[2].organisation.org_number})
    assert "Gammel utprøving" not in page.content.decode()


def test_chart_data_downloads_as_csv(client, manager, portfolio):
    client.force_login(manager)
    response = client.get("/dashboard/", {"download": "funnel"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Utprøving;2;8" in text


def test_the_period_filter_sets_how_many_quarters_the_flow_shows(client, manager, portfolio,
                                                                   home_org):
    flow = manager_dashboard(home_org, today=TODAY, quarters=4)["flow"]
    assert [r["label"] for r in flow] == ["2025 K3", "2025 K4", "2026 K1", "2026 K2"]
    client.force_login(manager)
    response = client.get("/dashboard/", {"quarters": "12"})
    assert len(response.context["flow"]) == 12
    assert 'value="12" selected' in response.content.decode()
    # Anything else falls back to the default rather than failing.
    assert len(client.get("/dashboard/", {"quarters": "999"}).context["flow"]) == 8


def test_benefit_chart_data_downloads_as_csv(client, manager, portfolio):
    client.force_login(manager)
    response = client.get("/dashboard/", {"download": "benefits"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["Gevinst;Kroner per år", f"Planlagt;{10 * 300 * 52}",
                                 f"Realisert;{5 * 300 * 52}"]


def test_track_and_area_narrow_the_dashboard_and_stay_in_the_url(client, manager, portfolio,
                                                                 home_org):
    _care, _school, old_pilot, fresh = portfolio
    fresh.welfare_area = "digital_supervision"
    fresh.save(update_fields=["welfare_area"])
    fresh.initiative.track = "fast_track"
    fresh.initiative.save(update_fields=["track"])

    def pilots(**filters):
        funnel = manager_dashboard(home_org, today=TODAY, **filters)["funnel"]
        return next(r["count"] for r in funnel if r["phase"] == "pilot")

    assert (pilots(), pilots(track="fast_track"), pilots(track="full")) == (2, 1, 1)
    assert pilots(area="digital_supervision") == 1
    # The old pilot's benefit drops out with it.
    assert manager_dashboard(home_org, today=TODAY, area="digital_supervision")["benefits"][
        "planned_nok"] == 0
    client.force_login(manager)
    response = client.get("/dashboard/", {"track": "fast_track", "area": "digital_supervision"})
    html = response.content.decode()
    assert 'value="fast_track" selected' in html and 'value="digital_supervision" selected' in html
    assert "track=fast_track" in response.context["query"]
    # An unknown value is ignored rather than failing.
    assert client.get("/dashboard/", {"track": "nonsense"}).context["track"] == ""


def test_ready_for_gate_needs_every_active_item_of_the_phase_ticked(home_org, other_org):
    """Only phases with an active checklist item of the organisation can be ready (the
    semi-join on those phases must keep exactly the projects the counts keep)."""
    from projects.models import GateChecklistItem, ProjectChecklistTick

    done = make_initiative(home_org, [("concept", "2026-01-05")], title="Alt avkrysset")
    half = make_initiative(home_org, [("concept", "2026-01-06")], title="Halvveis")
    piloting = make_initiative(home_org, [("concept", "2026-01-05"), ("pilot", "2026-02-01")],
                               title="Utprøving uten liste")
    items = [GateChecklistItem.objects.create(organisation=home_org, phase="concept",
                                              text=f"Punkt {i}") for i in range(2)]
    # Inactive, or another organisation's: neither is needed, nor opens the pilot phase.
    GateChecklistItem.objects.create(organisation=home_org, phase="concept", text="Gammel",
                                     is_active=False)
    GateChecklistItem.objects.create(organisation=other_org, phase="pilot", text="Deres")
    for item in items:
        ProjectChecklistTick.objects.create(project=done, item=item)
    ProjectChecklistTick.objects.create(project=half, item=items[0])
    attention = manager_dashboard(home_org, today=TODAY)["attention"]
    assert attention.ready_for_gate == [done]
    assert piloting not in attention.ready_for_gate


def test_long_pilots_and_parkings_show_the_oldest_ten_of_each(home_org):
    """Ranked per phase before the join: ten of each, oldest first, the current phase only."""
    pilots = [make_initiative(home_org, [("concept", "2023-01-01"),
                                         ("pilot", f"2023-{month:02d}-01")],
                              title=f"Pilot {month}") for month in range(12, 0, -1)]
    parked = [make_initiative(home_org, [("concept", "2023-01-01"),
                                         ("parked", f"2024-{month:02d}-01")],
                              title=f"Parkert {month}") for month in range(1, 4)]
    # Parked once, now piloting again since recently: in neither list.
    make_initiative(home_org, [("concept", "2022-01-01"), ("parked", "2022-02-01"),
                               ("pilot", "2026-05-01")], title="Tilbake")
    attention = manager_dashboard(home_org, today=TODAY)["attention"]
    oldest = sorted(pilots, key=lambda p: int(p.title.split()[1]))  # "Pilot 1" began first
    assert [c.initiative_id for c in attention.long_pilots] == [
        p.initiative_id for p in oldest[:10]]
    assert [c.initiative_id for c in attention.long_parked] == [p.initiative_id for p in parked]
    assert attention.long_pilots[0].initiative.project.title == "Pilot 1"


def _expected_benefit_summary(organisation):
    """The benefit summary computed the plain way, benefit by benefit in Python: the latest
    measurement is the last by date (not read from valid_until), its NOK value the signed
    change × NOK per unit × periods per year (not read from nok_per_year)."""
    planned = realised = hours_planned = hours_realised = Decimal(0)
    quality = {"total": 0, "realised": 0}
    open_without_owner = []
    for b in (Benefit.objects.filter(project__organisation=organisation)
              .select_related("project").prefetch_related("measurements")):
        latest = max(b.measurements.all(), key=lambda m: (m.measured_on, m.pk), default=None)
        valued = b.nok_per_unit is not None and b.periods_per_year is not None
        in_hours = b.type == "time_saved" and b.unit.startswith("timer") and b.periods_per_year

        def change(value, b=b):
            return calculations.signed_change(direction=b.direction, baseline=b.baseline_value,
                                              value=value)
        if valued:
            planned += change(b.target_value) * b.nok_per_unit * b.periods_per_year
            if latest is not None:
                realised += change(latest.value) * b.nok_per_unit * b.periods_per_year
        if in_hours:
            hours_planned += change(b.target_value) * b.periods_per_year
            if latest is not None:
                hours_realised += change(latest.value) * b.periods_per_year
        if b.type == "quality":
            quality["total"] += 1
            quality["realised"] += b.status == "realised"
        if b.owner_id is None and b.status not in ("realised", "not_realised"):
            open_without_owner.append(b)
    open_without_owner.sort(key=lambda b: (b.title, b.pk))
    return ({"planned_nok": planned, "realised_nok": realised, "hours_planned": hours_planned,
             "hours_realised": hours_realised, "quality": quality},
            [(b.pk, b.title, b.project_id, b.project.title) for b in open_without_owner[:10]])


def _generate_benefits(organisation, owner, rng):
    """Varied benefits: every type, both directions, units in hours and not (one capitalised,
    which is not "timer…"), valued or not, periods per year missing or zero, every status,
    with or without owner, and none to four measurements in any order of dates."""
    projects = [make_initiative(organisation, [("concept", "2025-01-01")],
                                title=f"Prosjekt {n}") for n in range(3)]

    def number(low, high):
        return Decimal(rng.randint(low * 100, high * 100)) / 100

    for n in range(40):
        benefit = add_benefit(
            rng.choice(projects), title=f"Gevinst {rng.randint(0, 15):02d}",
            type=rng.choice(["time_saved", "time_saved", "avoided_costs", "quality"]),
            unit=rng.choice(["timer/uke", "timer per måned", "Timer/uke", "antall", "kroner"]),
            direction=rng.choice(["increase", "decrease"]),
            baseline_value=number(-50, 5000), target_value=number(-50, 5000),
            nok_per_unit=rng.choice([None, number(0, 2000)]),
            periods_per_year=rng.choice([None, Decimal(0), Decimal(12), number(1, 365)]),
            status=rng.choice(["planned", "in_progress", "realised", "not_realised"]),
            owner=rng.choice([None, None, owner]))
        days = rng.sample(range(400), rng.randint(0, 4))
        for day in days:  # written in random order: the latest by date counts
            measurement_add(benefit=benefit, value=number(-50, 5000),
                            measured_on=datetime.date(2025, 1, 1) + datetime.timedelta(day))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_benefit_summary_equals_the_sums_benefit_by_benefit(home_org, other_org, manager,
                                                                 seed):
    """The summary is summed in the database (issue 18); it must equal the plain Python sums
    over varied benefits, and list the same benefits without an owner. PostgreSQL adds
    decimals exactly; SQLite has only floating point, read back to 15 significant digits."""
    import random

    rng = random.Random(seed)
    _generate_benefits(home_org, manager, rng)
    _generate_benefits(other_org, None, rng)  # another organisation's: not counted
    expected, expected_rows = _expected_benefit_summary(home_org)
    data = manager_dashboard(home_org, today=TODAY)
    got = data["benefits"]
    assert got["quality"] == expected["quality"]
    for name in ("planned_nok", "realised_nok", "hours_planned", "hours_realised"):
        assert isinstance(got[name], Decimal)
        if connection.vendor == "postgresql":
            assert got[name] == expected[name], name
        else:
            assert abs(got[name] - expected[name]) <= abs(expected[name]) * Decimal("1e-12"), name
    assert len(expected_rows) == 10  # the generated data fills the list
    assert [(b.pk, b.title, b.project.pk, b.project.title)
            for b in data["attention"].benefits_without_owner] == expected_rows


def test_the_benefit_summary_of_no_benefits_is_zero(home_org):
    benefits = manager_dashboard(home_org, today=TODAY)["benefits"]
    assert benefits == {"planned_nok": 0, "realised_nok": 0, "hours_planned": 0,
                        "hours_realised": 0, "quality": {"total": 0, "realised": 0}}
    assert all(isinstance(benefits[name], Decimal) for name in (
        "planned_nok", "realised_nok", "hours_planned", "hours_realised"))
