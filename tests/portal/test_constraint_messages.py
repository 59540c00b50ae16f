"""Issue 16: raw constraint names reached users («Begrensning "campaign_closes_after_it_opens"
er brutt.»). Every database constraint of every model in the project has a human message on
its field (portal.constraints), and the forms show it there."""

import datetime

from django.apps import apps
from django.utils import translation

from ideas.forms import CampaignForm
from portal.constraints import HumanConstraints
from tests.project_apps import project_app_labels


def test_every_constraint_has_a_human_message_on_a_real_field():
    missing, unknown_fields, checked = [], [], 0
    for label in project_app_labels():
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                checked += 1
                where = f"{model._meta.label}.{constraint.name}"
                entry = (getattr(model, "constraint_messages", {}).get(constraint.name)
                         if issubclass(model, HumanConstraints) else None)
                if entry is None:
                    missing.append(where)
                    continue
                field, message = entry
                if constraint.name in str(message) or not str(message).strip():
                    missing.append(where)
                if field is not None:
                    names = {f.name for f in model._meta.get_fields()}
                    if field not in names:
                        unknown_fields.append(f"{where} → {field}")
    assert not missing, f"constraints without a human message: {missing}"
    assert not unknown_fields, f"messages on fields the model does not have: {unknown_fields}"
    assert checked >= 30


def test_the_campaign_form_shows_the_message_on_the_closing_date(home_org):
    with translation.override("nb"):
        form = CampaignForm({"title": "Sommerkampanje", "description": "",
                             "opens_on": datetime.date(2026, 6, 30),
                             "closes_on": datetime.date(2026, 6, 1)})
        form.instance.organisation = home_org
        assert not form.is_valid()
        assert form.errors["closes_on"] == ["Kampanjen kan ikke stenge før den åpner."]
        assert not form.non_field_errors()
        assert "campaign_closes_after_it_opens" not in str(form.errors)

