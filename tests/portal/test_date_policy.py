"""The date policy (portal.dates, README "Date policy"): every dated fact lies in
2000-01-01 .. today (planned dates up to ten years ahead), refused otherwise with the field
named and nothing stored — through the API, the pages' forms, the services and the import.

The sweeps find the dated fields by introspection: every date field of a request body in the
OpenAPI schema gets an out-of-range date posted to it, and every date field of every form
class must refuse one. A new dated field without the rule fails them."""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from drf_spectacular.generators import SchemaGenerator

from gevinst import services as gevinst_services
from gevinst.models import Benefit, BenefitPlan, Measurement
from ideas import services as idea_services
from ideas.models import Campaign, Idea
from initiatives.models import BenefitAssessment, IndicatorDirty, PhaseChange
from portal import dates
from portal.errors import DomainError
from portal.limits import MAX_MEASURE_VALUE, MAX_NOK_PER_UNIT, MAX_NOK_PER_YEAR
from projects.models import ProjectMilestone
from tests.gevinst.conftest import benefit_fields, make_project
from tests.ideas.factories import make_idea

PROJECT_APPS = ("portal", "initiatives", "projects", "ideas", "gevinst", "indicators",
                "notifications", "exchange", "overview", "ops", "innoportal")
TODAY = datetime.date.today()
OUT_OF_RANGE = ["0001-01-01", "1999-12-31", "9999-12-31"]


# --- the rule --------------------------------------------------------------------------------

def test_the_range_of_facts_and_of_planned_dates():
    today = datetime.date(2026, 6, 1)
    assert dates.date_error(datetime.date(2000, 1, 1), dates.HAPPENED, today) is None
    assert dates.date_error(today, dates.HAPPENED, today) is None
    assert dates.date_error(datetime.date(1999, 12, 31), dates.HAPPENED, today)
    assert dates.date_error(datetime.date(1, 1, 1), dates.PLANNED, today)
    assert dates.date_error(datetime.date(2026, 6, 2), dates.HAPPENED, today)
    assert dates.date_error(datetime.date(2036, 6, 1), dates.PLANNED, today) is None
    assert dates.date_error(datetime.date(2036, 6, 2), dates.PLANNED, today)
    assert dates.date_error(datetime.date(9999, 12, 31), dates.PLANNED, today)
    with pytest.raises(DomainError) as info:
        dates.date_check(datetime.date(1, 1, 1), field="assessed_on")
    assert info.value.errors == {"assessed_on": [info.value.message]}
    assert dates.latest_allowed(dates.PLANNED, datetime.date(2028, 2, 29)) == datetime.date(
        2038, 2, 28)


def test_the_valuation_bounds_cannot_overflow_the_computed_nok_columns():
    """Measurement.nok_per_year is numeric(30, 6), the snapshot's realised_nok_per_year
    numeric(40, 2): the largest yearly value the bounds allow fits both with room to spare."""
    from gevinst.models import Measurement as M
    from indicators.models import IndicatorSnapshot

    column = M._meta.get_field("nok_per_year")
    assert MAX_NOK_PER_YEAR < Decimal(10) ** (column.max_digits - column.decimal_places)
    snapshot = IndicatorSnapshot._meta.get_field("realised_nok_per_year")
    assert MAX_NOK_PER_YEAR * 10 ** 12 < Decimal(10) ** (snapshot.max_digits
                                                          - snapshot.decimal_places)
    assert MAX_NOK_PER_YEAR == 2 * MAX_MEASURE_VALUE * MAX_NOK_PER_UNIT * 366


# --- the sweep over the pages' forms ---------------------------------------------------------

def _project_form_classes() -> list[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if module.name.rsplit(".", 1)[-1] in ("forms", "views") or ".forms" in module.name:
                importlib.import_module(module.name)
    from projects.forms import content_form_class
    from projects.services.content import CONTENT_KINDS

    found = [content_form_class(kind, None) for kind in CONTENT_KINDS]
    todo = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.append(cls)
    return found


def test_every_date_field_of_every_form_refuses_dates_outside_the_policy():
    checked = []
    for form_class in _project_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            if not isinstance(field, (forms.DateField, forms.DateTimeField)):
                continue
            checked.append(f"{form_class.__name__}.{name}")
            for value in OUT_OF_RANGE:
                with pytest.raises(forms.ValidationError):
                    field.clean(value)
            field.clean(TODAY.isoformat())  # today is always inside
    # The sweep saw the forms it is about (a broken discovery would pass vacuously).
    assert {"DecisionForm.effective_date", "MeasurementForm.measured_on",
            "AssessmentForm.assessed_on", "BenefitForm.baseline_on", "BenefitForm.target_on",
            "CampaignForm.opens_on", "ProjectMilestoneForm.done_on"} <= set(checked)


# --- the sweep over the API ------------------------------------------------------------------

def _dated_request_fields() -> set[tuple[str, str, str]]:
    """(method, path, field) of every date in a JSON request body of the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def properties(ref: str) -> dict:
        component = components[ref.split("/")[-1]]
        found = {}
        for part in component.get("allOf", [component]):
            found.update(properties(part["$ref"]) if "$ref" in part
                         else part.get("properties", {}))
        return found

    fields = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            media = (operation.get("requestBody") or {}).get("content", {}).get(
                "application/json", {})
            ref = media.get("schema", {}).get("$ref")
            if not ref:
                continue
            for name, spec in properties(ref).items():
                if spec.get("format") in ("date", "date-time") and not spec.get("readOnly"):
                    fields.add((method, path, name))
    return fields


# How to reach each dated API field with an otherwise sensible body: (persona, url, body).
def _world(home_org, manager, coordinator, employee):
    project = make_project(home_org)
    benefit = gevinst_services.benefit_create(actor=manager, project=project,
                                              **benefit_fields(owner=manager))
    milestone = ProjectMilestone.objects.create(project=project, title="Pilot ferdig",
                                                due_on=datetime.date(2025, 1, 1))
    draft = make_idea(employee, home_org, title="Utkast")
    in_review = make_idea(employee, home_org, title="Til vurdering", status="in_review",
                          coordinator=coordinator)
    other = make_idea(employee, home_org, title="Annen", status="in_review",
                      coordinator=coordinator)
    parked = make_idea(employee, home_org, title="Parkert", status="in_review",
                       coordinator=coordinator)
    idea_services.idea_park(actor=coordinator, idea=parked,
                            effective_date=datetime.date(2024, 4, 1))
    return {"project": project, "benefit": benefit, "milestone": milestone, "draft": draft,
            "in_review": in_review, "other": other, "parked": parked}


def _request(method: str, path: str, field: str, world: dict, value: str):
    p, b, m = world["project"], world["benefit"], world["milestone"]
    body: dict
    if path.startswith("/api/v1/benefits/{id}/measurements/"):
        return "manager", f"/api/v1/benefits/{b.pk}/measurements/", {
            "measured_on": value, "value": "30"}
    if path.startswith("/api/v1/benefits/"):
        body = {**{k: str(v) for k, v in benefit_fields().items()}, "project": p.pk,
                "version": b.version, field: value}
        url = "/api/v1/benefits/" if "{id}" not in path else f"/api/v1/benefits/{b.pk}/"
        return "manager", url, body
    if path.startswith("/api/v1/ideas/"):
        action = path.rstrip("/").rsplit("/", 1)[-1]
        idea = {"submit": world["draft"], "resume": world["parked"]}.get(
            action, world["in_review"])
        body = {"effective_date": value}
        if action == "reject":
            body["reason"] = "Ikke nå"
        if action == "merge":
            body["into"] = world["other"].pk
        return ("employee" if action == "submit" else "coordinator",
                f"/api/v1/ideas/{idea.pk}/{action}/", body)
    if path.endswith("/adopt/"):
        return "manager", f"/api/v1/projects/{p.pk}/adopt/", {
            "organisation": p.organisation.org_number, "effective_date": value}
    if path.endswith("/assessments/"):
        return "manager", f"/api/v1/projects/{p.pk}/assessments/", {
            "dimension": "user", "kind": "expected", "score": 2, "assessed_on": value}
    if path.endswith("/benefit-plan/"):
        return "manager", f"/api/v1/projects/{p.pk}/benefit-plan/", {
            "interval_months": 3, "first_due_on": value, "notes": "", "version": 0}
    if path.endswith("/transitions/"):
        return "manager", f"/api/v1/projects/{p.pk}/transitions/", {
            "to_phase": "benefit_realisation", "effective_date": value}
    if "/milestones/" in path:
        body = {"title": "Milepæl", "due_on": "2025-06-01", "done_on": None, field: value}
        if "{id}" in path:
            from projects.services.content import item_version

            body["version"] = item_version("milestones", m)
            return "manager", f"/api/v1/projects/{p.pk}/milestones/{m.pk}/", body
        return "manager", f"/api/v1/projects/{p.pk}/milestones/", body
    raise AssertionError(f"No request for {method} {path} {field}: add one to this sweep")


def _stored():
    return (PhaseChange.objects.count(), Measurement.objects.count(),
            BenefitAssessment.objects.count(), ProjectMilestone.objects.count(),
            list(Benefit.objects.values_list("baseline_on", "target_on", "version")),
            list(ProjectMilestone.objects.values_list("due_on", "done_on")),
            list(Idea.objects.order_by("pk").values_list("status", flat=True)),
            list(BenefitPlan.objects.values_list("first_due_on", flat=True)),
            Campaign.objects.count(), IndicatorDirty.objects.count())


def test_every_dated_api_field_refuses_dates_outside_the_policy(
        api_client, home_org, manager, coordinator, employee):
    dated = _dated_request_fields()
    # The sweep reaches what the issue named (and whatever was added since).
    assert {("post", "/api/v1/projects/{id}/assessments/", "assessed_on"),
            ("post", "/api/v1/ideas/{id}/submit/", "effective_date"),
            ("post", "/api/v1/benefits/{id}/measurements/", "measured_on"),
            ("post", "/api/v1/benefits/", "baseline_on")} <= dated
    world = _world(home_org, manager, coordinator, employee)
    people = {"manager": manager, "coordinator": coordinator, "employee": employee}
    before = _stored()
    for method, path, field in sorted(dated):
        for value in OUT_OF_RANGE:
            who, url, body = _request(method, path, field, world, value)
            api_client.force_authenticate(people[who])
            response = getattr(api_client, method)(url, body, format="json")
            assert response.status_code == 400, (method, path, field, value, response.content)
            assert field in response.json()["errors"], (method, path, field, response.json())
            assert _stored() == before, (method, path, field, value)


# --- the old defects, one by one -------------------------------------------------------------

def test_an_assessment_dated_0001_01_01_is_refused_by_the_service(home_org, manager):
    project = make_project(home_org)
    before = _stored()
    with pytest.raises(DomainError) as info:
        gevinst_services.assessment_create(actor=manager, project=project, dimension="user",
                                           kind="expected", score=2,
                                           assessed_on=datetime.date(1, 1, 1))
    assert "assessed_on" in info.value.errors
    assert _stored() == before


def test_a_submission_back_dated_to_1999_is_refused_even_for_a_coordinator(
        api_client, home_org, coordinator):
    idea = make_idea(coordinator, home_org, title="Gammel idé")
    before = _stored()
    api_client.force_authenticate(coordinator)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/submit/",
                               {"effective_date": "1999-06-01"}, format="json")
    assert response.status_code == 400 and "effective_date" in response.json()["errors"]
    with pytest.raises(DomainError) as info:  # the service refuses it too (commands, pages)
        idea_services.idea_submit(actor=coordinator, idea=idea,
                                  effective_date=datetime.date(1999, 6, 1))
    assert info.value.field == "effective_date"
    assert _stored() == before and Idea.objects.get(pk=idea.pk).status == "draft"


def test_the_back_dating_right_is_the_services_rule(home_org, employee):
    idea = make_idea(employee, home_org)
    with pytest.raises(DomainError) as info:
        idea_services.idea_submit(actor=employee, idea=idea,
                                  effective_date=datetime.date(2024, 1, 15))
    assert info.value.field == "effective_date"
    assert Idea.objects.get(pk=idea.pk).status == "draft" and not PhaseChange.objects.exists()


def test_the_phase_log_refuses_dates_outside_the_policy(home_org):
    project = make_project(home_org, "concept")
    count = PhaseChange.objects.count()
    from initiatives.phase_log import phase_change_record

    for day in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31)):
        with pytest.raises(DomainError) as info:
            phase_change_record(initiative=project.initiative, to_phase="pilot",
                                effective_date=day, actor=None)
        assert info.value.field == "effective_date"
    assert PhaseChange.objects.count() == count


@pytest.mark.parametrize("field,value", [("baseline_on", datetime.date(9999, 12, 31)),
                                         ("baseline_on", datetime.date(1999, 12, 31)),
                                         ("target_on", datetime.date(9999, 12, 31))])
def test_benefit_dates_outside_the_policy_are_refused(home_org, manager, field, value):
    project = make_project(home_org)
    with pytest.raises(DomainError) as info:
        gevinst_services.benefit_create(actor=manager, project=project,
                                        **benefit_fields(**{field: value}))
    assert field in info.value.errors and not Benefit.objects.exists()


def test_a_measurement_dated_9999_12_31_is_refused_by_the_history_writer(home_org, manager):
    from gevinst.history import measurement_add

    project = make_project(home_org)
    benefit = gevinst_services.benefit_create(actor=manager, project=project,
                                              **benefit_fields())
    with pytest.raises(DomainError) as info:
        measurement_add(benefit=benefit, measured_on=datetime.date(9999, 12, 31),
                        value=Decimal(30))
    assert info.value.field == "measured_on" and not Measurement.objects.exists()


def test_campaign_dates_outside_the_policy_are_refused(home_org, coordinator):
    from ideas.services.campaigns import campaign_create

    with pytest.raises(DomainError) as info:
        campaign_create(actor=coordinator, organisation=home_org, title="K", description="B",
                        opens_on=datetime.date(2025, 1, 1),
                        closes_on=datetime.date(9999, 12, 31))
    assert info.value.field == "closes_on" and not Campaign.objects.exists()


@pytest.mark.parametrize("field,value", [("nok_per_unit", "100000000.01"),
                                         ("periods_per_year", "366.01")])
def test_a_valuation_beyond_the_bounds_is_refused_in_the_api(api_client, home_org, manager,
                                                             field, value):
    """The old defect: a valuation inside the form limits whose yearly NOK value overflowed
    the snapshot column. Now the bounds refuse it, naming the field, and store nothing."""
    project = make_project(home_org)
    api_client.force_authenticate(manager)
    body = {**{k: str(v) for k, v in benefit_fields().items()}, "project": project.pk,
            field: value}
    response = api_client.post("/api/v1/benefits/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Benefit.objects.exists()
    with pytest.raises(DomainError) as info:
        gevinst_services.benefit_create(actor=manager, project=project,
                                        **benefit_fields(**{field: value}))
    assert field in info.value.errors and not Benefit.objects.exists()


def _same(stored: Decimal, expected: Decimal) -> bool:
    """Exact on PostgreSQL (numeric); SQLite keeps decimals as floating point."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return stored == expected
    return abs(stored - expected) <= expected * Decimal("1e-12")


def test_the_largest_valid_valuation_is_stored_and_counted_without_overflow(
        api_client, home_org, manager):
    """End to end with the maximum values the bounds allow: the benefit and its measurement
    are stored, the indicators recompute (on PostgreSQL: no numeric overflow) and the snapshot
    holds the exact yearly value."""
    from indicators import services as indicator_services
    from indicators.models import IndicatorSnapshot
    from tests.consumers import run_consumers

    project = make_project(home_org)
    api_client.force_authenticate(manager)
    body = {**{k: str(v) for k, v in benefit_fields().items()}, "project": project.pk,
            "direction": "increase", "baseline_value": f"-{MAX_MEASURE_VALUE}",
            "target_value": str(MAX_MEASURE_VALUE), "nok_per_unit": str(MAX_NOK_PER_UNIT),
            "periods_per_year": "366"}
    response = api_client.post("/api/v1/benefits/", body, format="json")
    assert response.status_code == 201, response.content
    benefit = Benefit.objects.get()
    response = api_client.post(f"/api/v1/benefits/{benefit.pk}/measurements/",
                               {"measured_on": TODAY.isoformat(),
                                "value": str(MAX_MEASURE_VALUE)}, format="json")
    assert response.status_code == 201, response.content
    assert _same(Measurement.objects.get().nok_per_year, MAX_NOK_PER_YEAR)
    run_consumers()
    indicator_services.indicators_recompute(year=TODAY.year)
    snapshot = IndicatorSnapshot.objects.get(organisation=home_org, year=TODAY.year,
                                             quarter=0)
    assert _same(snapshot.realised_nok_per_year, MAX_NOK_PER_YEAR)
    assert not IndicatorDirty.objects.filter(attempts__gt=0).exists()


def test_a_point_scheme_starting_outside_the_policy_is_refused(db):
    from indicators.models import PointScheme
    from indicators.services import point_scheme_create
    from tests.factories import UserFactory

    count = PointScheme.objects.count()
    with pytest.raises(DomainError) as info:
        point_scheme_create(actor=UserFactory(is_superuser=True), name="standard",
                            valid_from=datetime.date(9999, 12, 31), phase_points={},
                            adoption_points=4, adoption_min_phase="implementation",
                            benefit_weights={}, expected_discount=Decimal("0.5"))
    assert info.value.field == "valid_from" and PointScheme.objects.count() == count
