"""Benefit pages: who sees and who writes (outsiders 404, members without the right 403,
refused writes change nothing), forms with bad input, the chart, the map and the panel."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from gevinst import selectors, services
from gevinst.models import (
    Benefit,
    BenefitEvent,
    BenefitMapEdge,
    BenefitMapNode,
    BenefitPlan,
    Measurement,
)
from initiatives.models import BenefitAssessment
from projects.models import ProjectCost
from tests.gevinst.conftest import benefit_fields, make_project
from tests.worlds import shared_personas

READ = {"employee": 200, "coordinator": 200, "project_leader": 200, "manager": 200,
        "admin": 200, "outsider": 404}
WRITE = {"employee": 403, "coordinator": 403, "project_leader": None, "manager": None,
         "admin": None, "outsider": 404}


def _world(people: dict) -> dict:
    """The project led by the project leader and its benefit with two measurements: built
    once for the module, each test starting from it (tests/worlds.py)."""
    manager = people["manager"]
    project = make_project(people["home_org"], leader=people["project_leader"])
    benefit = services.benefit_create(actor=manager, project=project,
                                      **benefit_fields(owner=manager))
    services.measurement_create(actor=manager, benefit=benefit,
                                measured_on=datetime.date(2024, 9, 1), value="31")
    services.measurement_create(actor=manager, benefit=benefit,
                                measured_on=datetime.date(2025, 3, 1), value="44")
    return {"project": project, "benefit": benefit}


globals().update(shared_personas(build=_world, items=("project", "benefit")))


def _state():
    return (Benefit.objects.count(), list(Benefit.objects.values_list("title", "version")),
            Measurement.objects.count(), BenefitAssessment.objects.count(),
            BenefitEvent.objects.count(), list(BenefitPlan.objects.values_list("status")),
            BenefitMapNode.objects.count(), BenefitMapEdge.objects.count())


def _login(client, personas, who):
    if personas[who] is not None:
        client.force_login(personas[who])


@pytest.mark.parametrize("who", list(READ))
def test_read_pages(client, personas, benefit, who):
    _login(client, personas, who)
    project = benefit.project
    for url in [reverse("gevinst:project", args=[project.pk]),
                reverse("gevinst:benefit", args=[benefit.pk]),
                reverse("gevinst:plan-print", args=[project.pk])]:
        assert client.get(url).status_code == READ[who], url


def test_anonymous_is_sent_to_login(client, benefit):
    response = client.get(reverse("gevinst:project", args=[benefit.project.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _writes(project, benefit, map_node):
    return [
        ("gevinst:create", [project.pk], {**benefit_fields(), "baseline_on": "2024-01-15",
                                          "target_on": "2025-06-01", "beneficiary": "staff",
                                          "status": "planned"}),
        ("gevinst:edit", [benefit.pk], {**benefit_fields(title="Ny tittel"),
                                        "baseline_on": "2024-01-15", "target_on": "2025-06-01",
                                        "beneficiary": "staff", "status": "planned",
                                        "version": benefit.version}),
        ("gevinst:measurement-add", [benefit.pk], {"measured_on": "2025-04-01", "value": "30"}),
        ("gevinst:assessment-add", [project.pk], {"dimension": "user", "kind": "realised",
                                                  "score": 2, "assessed_on": "2025-01-01"}),
        ("gevinst:plan", [project.pk], {"interval_months": 3, "first_due_on": "2025-01-01"}),
        ("gevinst:map-node-add", [project.pk], {"kind": "goal", "label": "Mål"}),
        ("gevinst:map-node-remove", [project.pk, map_node.pk], {}),
    ]


@pytest.mark.parametrize("who", list(WRITE))
def test_write_matrix(client, personas, benefit, manager, who):
    project = benefit.project
    node = services.map_node_add(actor=manager, project=project, kind="action", label="Sensor")
    _login(client, personas, who)
    for name, args, data in _writes(project, benefit, node):
        before = _state()
        response = client.post(reverse(name, args=args), data)
        if WRITE[who] is None:
            assert response.status_code == 302, (name, response.content[:2000])
            assert _state() != before, name
        else:
            assert response.status_code == WRITE[who], name
            assert _state() == before, name


@pytest.mark.parametrize("who,status", [("project_leader", 403), ("employee", 403),
                                        ("outsider", 404), ("manager", 302), ("admin", 302)])
def test_plan_approval_only_by_managers(client, personas, benefit, manager, who, status):
    services.benefit_plan_save(actor=manager, project=benefit.project, interval_months=3,
                               first_due_on="2025-01-01")
    _login(client, personas, who)
    before = _state()
    response = client.post(reverse("gevinst:plan-approve", args=[benefit.project.pk]))
    assert response.status_code == status
    plan = BenefitPlan.objects.get()
    if status == 302:
        assert plan.status == "approved" and plan.approved_by == personas[who]
    else:
        assert _state() == before and plan.status == "draft"


def test_editors_see_forms_readers_do_not(client, benefit, employee, project_leader):
    url = reverse("gevinst:benefit", args=[benefit.pk])
    client.force_login(employee)
    html = client.get(url).content.decode()
    assert 'name="value"' not in html and reverse("gevinst:edit", args=[benefit.pk]) not in html
    client.force_login(project_leader)
    html = client.get(url).content.decode()
    assert 'name="value"' in html


@pytest.mark.parametrize("data,field", [
    ({"measured_on": "2025-04-01", "value": "mange"}, "value"),
    ({"measured_on": "2023-12-31", "value": "30"}, "measured_on"),
    ({"measured_on": "31.31.2025", "value": "30"}, "measured_on"),
])
def test_bad_measurement_form_shows_field_error(client, benefit, manager, data, field):
    client.force_login(manager)
    before = _state()
    response = client.post(reverse("gevinst:measurement-add", args=[benefit.pk]), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _state() == before


def test_bad_benefit_form_unknown_unit_and_choice(client, project, benefit, manager):
    client.force_login(manager)
    data = {**benefit_fields(unit="lysår", type="lykke", baseline_value="x"),
            "baseline_on": "2024-01-15", "target_on": "2025-06-01", "beneficiary": "staff",
            "status": "planned"}
    response = client.post(reverse("gevinst:create", args=[project.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    for field in ("unit", "type", "baseline_value"):
        assert f'id="id_{field}_error"' in html
    assert list(Benefit.objects.values_list("pk", flat=True)) == [benefit.pk]


def test_owner_must_be_manager_field_error_on_form(client, project, benefit, manager,
                                                   employee):
    client.force_login(manager)
    data = {**benefit_fields(), "owner": employee.pk, "baseline_on": "2024-01-15",
            "target_on": "2025-06-01", "beneficiary": "staff", "status": "planned"}
    response = client.post(reverse("gevinst:create", args=[project.pk]), data)
    assert response.status_code == 400
    assert 'id="id_owner_error"' in response.content.decode()
    assert list(Benefit.objects.values_list("pk", flat=True)) == [benefit.pk]


def test_stale_edit_is_a_conflict(client, benefit, manager, project_leader):
    services.benefit_update(actor=project_leader, benefit=benefit, expected_version=1,
                            title="Endret av en annen")
    client.force_login(manager)
    data = {**benefit_fields(title="Min endring"), "baseline_on": "2024-01-15",
            "target_on": "2025-06-01", "beneficiary": "staff", "status": "planned",
            "owner": manager.pk, "version": 1}
    response = client.post(reverse("gevinst:edit", args=[benefit.pk]), data)
    assert response.status_code == 409
    assert "Noen andre har endret dette siden du åpnet skjemaet" in response.content.decode()
    assert Benefit.objects.get().title == "Endret av en annen"


def test_project_page_shows_negative_result_formula_and_owner_warning(client, benefit,
                                                                      project, manager):
    services.benefit_create(actor=manager, project=project,
                            **benefit_fields(title="Uten eier", direction="increase"))
    ProjectCost.objects.create(project=project, category="investment", recurrence="one_off",
                               description="Sensorer", amount_nok=D(200_000), year=2024)
    client.force_login(manager)
    html = client.get(reverse("gevinst:project", args=[project.pk])).content.decode()
    assert "mangler gevinsteier" in html and "Uten eier" in html
    # latest 44 against a baseline of 40 where less is good: −4, shown as negative
    assert 'class="negative-result"' in html
    assert "nullpunkt 40 − måling 44 = −4 timer/uke" in html
    assert "−4 timer spart × 620 kr per time × 52 perioder per år = −128\u00a0960 kr/år" in html
    assert "Ingen tilbakebetaling" in html
    assert "<svg" not in html or "benefit-map__svg" in html


def test_benefit_page_chart_uses_json_script_and_static_js(client, benefit, manager):
    client.force_login(manager)
    html = client.get(reverse("gevinst:benefit", args=[benefit.pk])).content.decode()
    assert 'id="benefit-chart-data"' in html and "vendor/chartjs/chart.umd.js" in html
    assert "gevinst/benefit-chart.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html)
    assert " style=" not in html
    assert '"y": 44.0' in html and '"y": 25.0' in html  # measured and target


def test_map_editor_and_svg_escape_labels(client, project, manager):
    client.force_login(manager)
    url = reverse("gevinst:map-node-add", args=[project.pk])
    client.post(url, {"kind": "action", "label": "<script>alert(1)</script> sensorer"})
    client.post(url, {"kind": "goal", "label": "Trygghet & verdighet"})
    action, goal = BenefitMapNode.objects.order_by("id")
    response = client.post(reverse("gevinst:map-edge-add", args=[project.pk]),
                           {"source": action.pk, "target": goal.pk})
    assert response.status_code == 302
    response = client.post(reverse("gevinst:map-edge-add", args=[project.pk]),
                           {"source": action.pk, "target": goal.pk})
    assert response.status_code == 400 and "finnes allerede" in response.content.decode()
    response = client.post(reverse("gevinst:map-edge-add", args=[project.pk]),
                           {"source": goal.pk, "target": goal.pk})
    assert response.status_code == 400
    assert BenefitMapEdge.objects.count() == 1
    html = client.get(reverse("gevinst:map", args=[project.pk])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "Trygghet &amp; verdighet" in html
    assert html.count("<line ") == 1 and html.count("<rect ") == 2
    assert " style=" not in html


def test_overview_lists_portfolio_and_my_reminders(client, benefit, manager):
    manager.email = "m@example.no"
    manager.save()
    services.benefit_plan_save(actor=manager, project=benefit.project, interval_months=1,
                               first_due_on="2025-04-01")
    services.benefit_reminders_create(today=datetime.date(2025, 4, 2))
    client.force_login(manager)
    html = client.get(reverse("gevinst:overview")).content.decode()
    assert "Mine gevinstpåminnelser" in html and "Måling forfalt 01.04.2025" in html
    assert benefit.project.title in html and "Porteføljen" in html


def test_project_panel_renders_on_its_own(benefit, project, manager, employee):
    services.map_node_add(actor=manager, project=project, kind="benefit", label="Spart tid",
                          benefit=benefit)
    services.benefit_create(actor=manager, project=project, **benefit_fields(title="Løs"))
    panel = selectors.project_panel(project, employee)
    assert panel["benefit_count"] == 2 and len(panel["owner_missing"]) == 1
    assert panel["nok_per_year"] == D("-128960.00")
    assert panel["cost_benefit"].payback_years.value is None
    html = render_to_string("gevinst/_project_panel.html", {"panel": panel})
    assert "mangler gevinsteier" in html and "benefit-map__svg" in html
    assert "Spart tid" in html and "Ingen tilbakebetaling" in html
    # a node tied to a benefit links to it
    assert f'<a href="/benefits/{benefit.pk}/" class="benefit-map__link">' in html


def test_calculator_shows_number_and_formula(client, employee):
    client.force_login(employee)
    url = reverse("gevinst:calculator")
    html = client.get(url, {"method": "time_saved", "quantity": "7,5", "unit_cost": "300",
                            "periods_per_year": "52"}).content.decode()
    assert "117\u00a0000 kr per år" in html
    assert "7,5 timer spart × 300 kr per time × 52 perioder per år" in html
    html = client.get(url, {"method": "avoided_costs", "quantity": "12", "unit_cost": "450",
                            "periods_per_year": "12"}).content.decode()
    assert "64\u00a0800 kr per år" in html and "12 unngåtte oppgaver" in html
    response = client.get(url, {"method": "time_saved", "quantity": "mye", "unit_cost": "300",
                                "periods_per_year": "52"})
    assert response.status_code == 400 and 'id="id_quantity_error"' in response.content.decode()


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_project_page_and_overview_query_counts_are_constant(client, benefit, project, manager):
    client.force_login(manager)
    urls = [reverse("gevinst:project", args=[project.pk]), reverse("gevinst:overview")]
    before = [_page_queries(client, url) for url in urls]
    for n in range(3):
        b = services.benefit_create(actor=manager, project=project,
                                    **benefit_fields(title=f"G{n}", owner=manager))
        services.measurement_create(actor=manager, benefit=b, measured_on="2024-06-01",
                                    value="30")
        services.map_node_add(actor=manager, project=project, kind="benefit", label=f"G{n}")
    assert [_page_queries(client, url) for url in urls] == before


def test_map_rows_follow_order(client, project, manager):
    client.force_login(manager)
    url = reverse("gevinst:map-node-add", args=[project.pk])
    client.post(url, {"kind": "effect", "label": "Andre"})
    client.post(url, {"kind": "effect", "label": "Første", "order": 0})
    layout = selectors.project_map(project)
    ys = {b.label: b.y for b in layout["boxes"]}
    assert ys["Første"] < ys["Andre"]


def test_admin_is_read_only(client, benefit, db):
    from tests.factories import UserFactory

    operator = UserFactory(username="drift", is_staff=True, is_superuser=True)
    client.force_login(operator)
    assert client.get("/django-admin/gevinst/benefit/").status_code == 200
    assert client.get(f"/django-admin/gevinst/benefit/{benefit.pk}/change/").status_code == 200
    assert client.get("/django-admin/gevinst/benefit/add/").status_code == 403


def test_warns_when_the_owner_is_no_longer_a_manager(client, benefit, project, manager,
                                                     employee):
    from portal.models import Membership

    client.force_login(employee)
    url = reverse("gevinst:project", args=[project.pk])
    assert "ikke lenger leder" not in client.get(url).content.decode()
    Membership.objects.filter(user=manager).update(role="employee")
    html = client.get(url).content.decode()
    assert "Gevinsteieren er ikke lenger leder i organisasjonen for:" in html
    assert selectors.project_panel(project, employee)["owner_not_manager"] == [benefit]
