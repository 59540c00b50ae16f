"""Portfolio keys are unique per organisation (initiatives) and per project (benefits), not on
the whole site (issue 13): a site-wide key let an import by one organisation learn that
another organisation uses it. Two organisations may now hold the same key; every lookup by key
names the organisation (or the project) too."""

import ast
import copy
import json

import pytest
from django.db import IntegrityError, transaction

from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed
from gevinst.models import Benefit
from initiatives.models import Initiative
from projects.models import Project
from tests.indicators.test_exchange import BENEFIT, ORG_A, ORG_B, document, initiative, run
from tests.sources import parse_file
from tests.test_architecture import PACKAGES, ROOT

pytestmark = pytest.mark.django_db
PROJECT = [("concept", "2024-01-10"), ("pilot", "2024-03-01"), ("implementation", "2024-06-01")]


def twins():
    """Bergen and Trondheim each hold a shared project keyed "felles", with a benefit "b1"."""
    return document(initiative("felles", PROJECT, benefits=[copy.deepcopy(BENEFIT)]),
                    initiative("felles", PROJECT, org=ORG_B, benefits=[copy.deepcopy(BENEFIT)]))


def test_two_organisations_may_use_the_same_key_and_the_file_round_trips():
    result = run(twins())
    assert result.initiatives_created == 2 and result.benefits == 2
    assert sorted(Initiative.objects.filter(key="felles").values_list(
        "organisation__org_number", flat=True)) == sorted([ORG_A, ORG_B])
    assert Benefit.objects.filter(key="b1").values("project").distinct().count() == 2
    again = run(twins())
    assert (again.initiatives_unchanged, again.initiatives_created, again.benefits) == (2, 0, 0)
    exported = json.loads("".join(export_portfolio()))
    by_organisation = lambda i: i["organisation"]  # noqa: E731
    assert sorted(exported["initiatives"], key=by_organisation) == sorted(
        twins()["initiatives"], key=by_organisation)


def test_an_adoption_names_the_origins_organisation_when_the_key_is_ambiguous():
    doc = twins()
    doc["organisations"].append({"org_number": "974760673", "name": "Oslo kommune",
                                 "kind": "municipality", "county": "Oslo",
                                 "population": 717710})
    doc["initiatives"].append(initiative("adoptert", [("pilot", "2024-08-01")],
                                         org="974760673", adopted_from="felles"))
    with pytest.raises(ImportFailed) as info:
        run(doc)
    assert info.value.messages == [
        "initiatives[2].adopted_from: key 'felles' names projects of several organisations; "
        "name the origin's in adopted_from_organisation"]
    assert not Initiative.objects.exists()
    doc["initiatives"][2]["adopted_from_organisation"] = ORG_B
    run(doc)
    adopted = Project.objects.get(initiative__key="adoptert")
    assert adopted.adopted_from.organisation.org_number == ORG_B
    assert adopted.initiative.adopted_from == adopted.adopted_from.initiative
    exported = json.loads("".join(export_portfolio()))
    assert [(i["adopted_from"], i.get("adopted_from_organisation"))
            for i in exported["initiatives"] if i["key"] == "adoptert"] == [("felles", ORG_B)]


def test_an_adopters_own_key_does_not_hide_the_origin_elsewhere():
    """Trondheim adopts Bergen's "felles" while holding an initiative "felles" of its own."""
    doc = twins()
    doc["initiatives"].append(initiative("adoptert", [("pilot", "2024-08-01")], org=ORG_B,
                                         adopted_from="felles"))
    run(doc)
    origin = Project.objects.get(initiative__key="adoptert").adopted_from
    assert origin.organisation.org_number == ORG_A


def test_the_database_holds_keys_unique_per_organisation_and_per_project():
    run(twins())
    bergen = Initiative.objects.get(key="felles", organisation__org_number=ORG_A)
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.create(organisation=bergen.organisation, key="felles", title="Kopi")
    benefit = Benefit.objects.get(project__initiative=bergen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Benefit.objects.create(**{**_benefit_fields(benefit), "key": "b1"})
    # The same key in another project of the same organisation is another benefit.
    other = Initiative.objects.create(organisation=bergen.organisation, key="annen",
                                      title="Annen")
    project = Project.objects.create(initiative=other, organisation=bergen.organisation,
                                     title="Annen", need="Behov")
    Benefit.objects.create(**{**_benefit_fields(benefit), "key": "b1", "project": project})


def _benefit_fields(benefit):
    return {f.name: getattr(benefit, f.name) for f in Benefit._meta.concrete_fields
            if f.name not in ("id", "created_at", "updated_at")}


# Lookups by a portfolio key: a queryset method or Q with one of these arguments.
KEY_ARGUMENTS = {"key", "key__in", "initiative__key", "initiative__key__in"}
SCOPE_WORDS = ("organisation", "project")
QUERY_CALLS = {"filter", "get", "exclude", "get_or_create", "update_or_create", "Q"}
# Lookups that take every organisation's keys on purpose, and why.
UNSCOPED = {
    # adopted_from names a project of another organisation: all candidates the importer may
    # see are read, and the organisation is settled from them (exchange.importer._origin).
    ("exchange/importer.py", "_origin_candidates"),
}


def _key_lookups():
    """(file, function, call) of every lookup by a portfolio key in the project's code."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = parse_file(path)
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    name = (call.func.attr if isinstance(call.func, ast.Attribute)
                            else getattr(call.func, "id", None))
                    words = {k.arg for k in call.keywords}
                    if name in QUERY_CALLS and words & KEY_ARGUMENTS:
                        yield str(path.relative_to(ROOT)), function.name, call


def test_every_lookup_by_key_names_the_organisation_or_the_project():
    """A sweep: a new lookup by key alone would find another organisation's row."""
    found, unscoped = 0, []
    for where, function, call in _key_lookups():
        found += 1
        words = {k.arg for k in call.keywords}
        if (where, function) in UNSCOPED:
            continue
        if not any(scope in word for word in words for scope in SCOPE_WORDS):
            unscoped.append(f"{where}:{call.lineno} ({function})")
    assert not unscoped, f"lookups by key alone: {unscoped}"
    assert found >= 4  # the importer's and the demo's lookups
