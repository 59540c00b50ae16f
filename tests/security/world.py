"""The world the security sweeps run in: the demo data (every app's content, one user per
role) plus what the demo lacks — an attachment, an API token, a participating organisation and
an anonymous idea by "hemmelig-person" that became a project."""

from __future__ import annotations

import datetime
from io import StringIO

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models

from ideas import services as idea_services
from portal import demo_data
from portal.models import Membership, Organisation, User
from portal.roles import Role
from portal.services import api_token_create
from projects import services as project_services
from projects.models import Project
from tests.project_apps import project_app_labels

SECRET_NAME = "hemmelig-person"
PERSONAS = ["ansatt", "koordinator", "prosjektleder", "leder", "admin", "nabo", "nettverk",
            "analytiker", SECRET_NAME]

# What would show up raw if escaping failed: a tag that breaks out of an attribute, one that
# runs on load, and a script element.
PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
SHORT_PAYLOAD = "<script>alert(1)</script>"
RAW_MARKERS = ("<script>alert(1)", "<img src=x")
URL_PAYLOAD = "javascript:alert(1)"

# Text columns that are not user-entered text: secrets, codes the code branches on, generated
# names. Everything else that is a CharField/TextField without choices gets the payload.
NOT_USER_TEXT = {
    "password", "key_hash", "prefix", "org_number", "content_type", "file",
    # SSB's official numbers: digits only, validated like org_number (4 and 2 long).
    "portal.Organisation.municipality_number", "portal.Organisation.county_number",
    "portal.OrganisationEvent.kind", "ideas.IdeaEvent.kind", "projects.ProjectEvent.kind",
    "gevinst.BenefitEvent.kind",
    "initiatives.IndicatorTimeline.phase",  # a phase code the indicator job writes
}


def build_world(media_root) -> dict:
    call_command("load_demo", stdout=StringIO())
    home = Organisation.objects.get(org_number=demo_data.DEMO_HOME)
    neighbour = Organisation.objects.get(org_number=demo_data.DEMO_NEIGHBOUR)
    users = {u.username: u for u in User.objects.all()}
    secret = User.objects.create(username=SECRET_NAME, first_name=SECRET_NAME,
                                 last_name=SECRET_NAME, email=f"{SECRET_NAME}@example.no")
    Membership.objects.create(user=secret, organisation=home, role=Role.EMPLOYEE)
    users[SECRET_NAME] = secret
    coordinator = users["koordinator"]

    idea = idea_services.idea_create(
        actor=secret, organisation=home, title="Anonym idé om nattevakt",
        need="Nattevakten trenger bedre oversikt", is_anonymous=True, visibility="network")
    idea_services.idea_submit(actor=secret, idea=idea, effective_date=datetime.date(2025, 1, 6),
                              registering_history=True)
    idea_services.attachment_add(actor=secret, idea=idea, upload=SimpleUploadedFile(
        "notat.txt", b"Et notat", content_type="text/plain"))
    idea_services.comment_add(actor=secret, idea=idea, body="Min egen kommentar")
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    project = idea_services.idea_approve(actor=coordinator, idea=idea,
                                         effective_date=datetime.date(2025, 2, 3))
    anonymous_draft = idea_services.idea_create(
        actor=secret, organisation=home, title="Anonymt utkast", need="Et behov",
        is_anonymous=True)

    demo_project = Project.objects.filter(organisation=home).order_by("id").first()
    project_services.project_item_add(actor=users["leder"], project=demo_project,
                                      kind="participants",
                                      data={"organisation": neighbour, "role": "Partner"})
    api_token_create(user=users["ansatt"], name="Statistikkjobb")
    return {"home": home, "neighbour": neighbour, "users": users, "anonymous_idea": idea,
            "anonymous_project": project, "anonymous_draft": anonymous_draft}


def user_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every CharField/TextField of the project's models that holds text a person typed."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in project_app_labels():
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
                continue
            if isinstance(field, models.GeneratedField) or field.primary_key:
                continue
            if field.name in NOT_USER_TEXT or \
                    f"{model._meta.label}.{field.name}" in NOT_USER_TEXT:
                continue
            found.append((model, field))
    return found


def poison(payload_for=None) -> list[str]:
    """Write the payload into every user text field of every row; return what was poisoned
    (and what had to be skipped because the column is too short to hold a payload).
    `payload_for(index)` chooses another payload per field (the export sweep's formulas)."""
    done = []
    for index, (model, field) in enumerate(user_text_fields()):
        if payload_for is not None:
            base = payload_for(index)
            if field.max_length is not None and field.max_length < len(base) + 8:
                raise AssertionError(f"{model._meta.label}.{field.name} is too short for "
                                     f"{base!r}")
        elif isinstance(field, models.URLField):
            base = URL_PAYLOAD
        elif field.max_length is None or field.max_length >= len(PAYLOAD) + 8:
            base = PAYLOAD
        elif field.max_length >= len(SHORT_PAYLOAD) + 8:
            base = SHORT_PAYLOAD
        else:
            raise AssertionError(f"{model._meta.label}.{field.name} is too short for a payload:"
                                 " add it to NOT_USER_TEXT with a reason, or test it apart")
        for pk in model.objects.values_list("pk", flat=True):
            # Unique columns need a different value per row; the suffix keeps the payload whole.
            value = f"{base} {pk}" if field.unique or _in_unique_together(model, field) else base
            model.objects.filter(pk=pk).update(**{field.attname: value})
        done.append(f"{model._meta.label}.{field.name}")
    return done


def _in_unique_together(model, field) -> bool:
    for constraint in model._meta.constraints:
        if field.name in getattr(constraint, "fields", ()):
            return True
    return False
