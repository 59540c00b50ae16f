"""Issue 16: an edit conflict (409) is not a dead end, on every HTML form with optimistic
locking. The sweep finds every form with a `version` field (the project's own forms and the
project content forms, one per kind); each must be a portal.conflicts.VersionedForm and have a
scenario here, in which a stale save answers 409 with both versions, keeps the typed text and
carries the saved version, so saving again keeps the editor's text deliberately."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import F

from gevinst import services as gevinst_services
from gevinst.models import Benefit, BenefitPlan
from portal.conflicts import VersionedForm
from portal.models import Organisation
from projects.forms import content_form_class
from projects.models import Project
from projects.services import project_item_add
from projects.services.content import CONTENT_KINDS
from tests.gevinst.conftest import benefit_fields, make_project

MINE, THEIRS = "Min tekst", "Annens tekst"


# --- the members: every form with a version field ---------------------------------------------

def _project_form_classes() -> set[type]:
    """Every form class of the project's own apps (their forms modules imported)."""
    for config in apps.get_app_configs():
        if str(settings.BASE_DIR) in config.path and not config.name.startswith("tests"):
            try:
                importlib.import_module(f"{config.name}.forms")
            except ModuleNotFoundError:
                pass
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in {c.name.split(".")[0]
                                                for c in apps.get_app_configs()
                                                if str(settings.BASE_DIR) in c.path}:
                found.add(sub)
    return found


def _key(form_class: type) -> str:
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    kinds = {spec.model: kind for kind, spec in CONTENT_KINDS.items()}
    if model in kinds:
        return f"content:{kinds[model]}"
    return form_class.__qualname__


def _versioned_members() -> set[str]:
    static = {_key(c) for c in _project_form_classes()
              if "version" in getattr(c, "base_fields", {}) or issubclass(c, VersionedForm)}
    # The content forms are built per kind (projects.forms.content_form_class); an edit form
    # (bound to a row) carries the version.
    dynamic = set()
    for kind, spec in CONTENT_KINDS.items():
        form = content_form_class(kind, Project(pk=1))(instance=spec.model(pk=1))
        if "version" in form.fields:
            assert isinstance(form, VersionedForm), kind
            dynamic.add(f"content:{kind}")
    return static | dynamic


def test_every_form_with_a_version_field_is_a_versioned_form(db):
    unmarked = [c.__qualname__ for c in _project_form_classes()
                if "version" in getattr(c, "base_fields", {}) and not issubclass(c, VersionedForm)]
    assert not unmarked


def test_every_versioned_form_has_a_conflict_scenario(db):
    assert _versioned_members() == set(SCENARIOS)


# --- the scenarios -------------------------------------------------------------------------------

@dataclass
class Scenario:
    make: Callable[[dict], models.Model]  # the row both people edit
    url: Callable[[models.Model], str]
    field: str  # a text field both change
    other: Callable[[models.Model, str], None]  # the other person's save
    read: Callable[[models.Model], str]  # the stored value of `field`


def _bump(model):
    """Another person's save through the row's version (the content rows' version is a
    digest of their fields, so changing the field is enough)."""
    def other(row, value):
        changes = {"version": F("version") + 1} if hasattr(row, "version") else {}
        model.objects.filter(pk=row.pk).update(**changes, **{SCENARIO_FIELD[model]: value})
    return other


def _reader(model, name):
    return lambda row: getattr(model.objects.get(pk=row.pk), name)


def _content_value(field: models.Field, other_org: Organisation):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey):
        return other_org
    if isinstance(field, models.EmailField):
        return "ola@example.no"
    if isinstance(field, models.URLField):
        return "https://example.no/plan"
    if isinstance(field, models.DateField):
        return None if field.null else datetime.date.today()
    if isinstance(field, models.DecimalField):
        return Decimal("1000")
    if isinstance(field, models.IntegerField):
        return 2026 if field.name == "year" else 3
    return "Første tekst"


def _text_field(spec) -> str:
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if (isinstance(field, (models.CharField, models.TextField)) and not field.choices
                and not isinstance(field, (models.EmailField, models.URLField))):
            return name
    raise AssertionError(f"{spec.key}: no text field to type into")


def _content_scenario(kind: str) -> Scenario:
    spec = CONTENT_KINDS[kind]
    name = _text_field(spec)

    def make(ctx):
        data = {f: _content_value(spec.model._meta.get_field(f), ctx["other_org"])
                for f in spec.fields}
        return project_item_add(actor=ctx["manager"], project=ctx["project"], kind=kind,
                                data=data)

    def other(row, value):
        spec.model.objects.filter(pk=row.pk).update(**{name: value})

    return Scenario(make=make, url=lambda row: f"/projects/{row.project_id}/{kind}/{row.pk}/",
                    field=name, other=other, read=_reader(spec.model, name))


SCENARIO_FIELD = {Project: "title", Benefit: "title", BenefitPlan: "notes"}
SCENARIOS: dict[str, Scenario] = {
    "ProjectForm": Scenario(
        make=lambda ctx: ctx["project"], url=lambda row: f"/projects/{row.pk}/edit/",
        field="title", other=_bump(Project), read=_reader(Project, "title")),
    "BenefitForm": Scenario(
        make=lambda ctx: gevinst_services.benefit_create(
            actor=ctx["manager"], project=ctx["project"],
            **benefit_fields(owner=ctx["manager"])),
        url=lambda row: f"/benefits/{row.pk}/edit/", field="title", other=_bump(Benefit),
        read=_reader(Benefit, "title")),
    "PlanForm": Scenario(
        make=lambda ctx: gevinst_services.benefit_plan_save(
            actor=ctx["manager"], project=ctx["project"], expected_version=0,
            interval_months=6,
            first_due_on=datetime.date.today() + datetime.timedelta(days=30), notes="Første plan"),
        url=lambda row: f"/benefits/project/{row.project_id}/plan/", field="notes",
        other=_bump(BenefitPlan), read=_reader(BenefitPlan, "notes")),
    **{f"content:{kind}": _content_scenario(kind) for kind in CONTENT_KINDS},
}


def posted(form: forms.BaseForm) -> dict:
    """What the editor's browser posts for the form as loaded: each widget's value."""
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        shown = bound.widget.format_value(value)
        if isinstance(shown, list):
            shown = shown[0] if shown else ""
        data[name] = "on" if value is True else "" if shown is None else shown
    return data


@pytest.fixture
def ctx(home_org, other_org, manager):
    return {"project": make_project(home_org, leader=manager), "manager": manager,
            "other_org": other_org}


@pytest.mark.parametrize("member", sorted(SCENARIOS))
def test_a_stale_save_shows_both_versions_and_keeps_the_typed_text(client, ctx, member):
    scenario = SCENARIOS[member]
    row = scenario.make(ctx)
    url = scenario.url(row)
    client.force_login(ctx["manager"])
    loaded = client.get(url)
    assert loaded.status_code == 200, loaded.content.decode()[:2000]
    data = posted(loaded.context["form"])
    scenario.other(row, THEIRS)

    response = client.post(url, {**data, scenario.field: MINE})
    assert response.status_code == 409
    conflict = response.context["conflict"]
    label = response.context["form"].fields[scenario.field].label
    assert {"label": label, "mine": MINE, "saved": THEIRS} in conflict.rows
    assert len(conflict.rows) == 1, conflict.rows  # only what differs
    html = response.content.decode()
    assert html.count(MINE) >= 2 and THEIRS in html  # in the table, and kept in the form
    assert 'class="ds-alert edit-conflict"' in html and "Lagre min versjon" in html
    new_version = response.context["form"]["version"].value()
    assert new_version != data["version"]
    assert scenario.read(row) == THEIRS  # nothing overwritten

    again = client.post(url, {**data, scenario.field: MINE, "version": new_version})
    assert again.status_code == 302, again.content.decode()[:2000]
    assert scenario.read(row) == MINE


def test_a_row_removed_meanwhile_offers_to_add_it_again(client, ctx):
    scenario = SCENARIOS["content:risks"]
    row = scenario.make(ctx)
    client.force_login(ctx["manager"])
    data = posted(client.get(scenario.url(row)).context["form"])
    type(row).objects.filter(pk=row.pk).delete()
    response = client.post(scenario.url(row), {**data, "title": MINE})
    assert response.status_code == 409 and response.context["conflict"].removed
    html = response.content.decode()
    add_url = f"/projects/{row.project_id}/risks/new/"
    assert f'action="{add_url}"' in html and f'value="{MINE}"' in html
    assert client.post(add_url, {**data, "title": MINE}).status_code == 302
    assert type(row).objects.get(project=row.project_id).title == MINE
