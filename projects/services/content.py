"""The project's own fields (optimistic concurrency on Project.version) and its content: team,
participating organisations, partners, funding, costs, risks, milestones and links. Every
change writes a ProjectEvent in the same transaction."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.dates import HAPPENED, PLANNED, date_check
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import User
from projects.access import may_edit
from projects.events import ProjectEventKind, project_event_record
from projects.models import (
    Project,
    ProjectCost,
    ProjectFunding,
    ProjectLink,
    ProjectMember,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPartner,
    ProjectRisk,
    ProjectVisit,
)


@dataclass(frozen=True)
class ContentKind:
    """One kind of project content: the model, the fields a user edits, and its name."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    label: str
    label_plural: str


CONTENT_KINDS: dict[str, ContentKind] = {k.key: k for k in [
    ContentKind("team", ProjectMember, ("name", "role", "email"),
                gettext_lazy("teammedlem"), gettext_lazy("Team")),
    ContentKind("participants", ProjectParticipant, ("organisation", "role"),
                gettext_lazy("deltakende organisasjon"),
                gettext_lazy("Deltakende organisasjoner")),
    ContentKind("partners", ProjectPartner,
                ("name", "kind", "role", "agreement_type", "ipr_notes"),
                gettext_lazy("partner"), gettext_lazy("Partnere")),
    ContentKind("funding", ProjectFunding, ("source", "scheme", "amount_nok", "funding_type"),
                gettext_lazy("finansiering"), gettext_lazy("Finansiering")),
    ContentKind("costs", ProjectCost,
                ("category", "recurrence", "description", "amount_nok", "year"),
                gettext_lazy("kostnad"), gettext_lazy("Kostnader")),
    ContentKind("risks", ProjectRisk, ("title", "category", "probability", "consequence",
                                       "owner", "mitigation", "status"),
                gettext_lazy("risiko"), gettext_lazy("Risikoer og barrierer")),
    ContentKind("milestones", ProjectMilestone, ("title", "due_on", "done_on"),
                gettext_lazy("milepæl"), gettext_lazy("Milepæler")),
    ContentKind("links", ProjectLink, ("title", "url"),
                gettext_lazy("lenke"), gettext_lazy("Lenker og dokumenter")),
]}

# The dates of project content under the date policy: a milestone is due (planned) and
# reached (it happened). The forms and serializers attach the same rule.
CONTENT_DATE_KINDS = {"due_on": PLANNED, "done_on": HAPPENED}

# The project's own fields that project_update() changes.
PROJECT_FIELDS = ("title", "need", "description", "unit", "leader", "visibility",
                  "welfare_area")


def _require_editor(actor: User, project: Project) -> None:
    if not may_edit(actor, project):
        raise Forbidden(_("Bare prosjektlederen og ledere i organisasjonen kan endre "
                          "prosjektet."))


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as error:
        errors = {field: [str(m) for m in messages]
                  for field, messages in error.message_dict.items()}
        first = next(iter(errors.values()))[0]
        raise DomainError(first, errors={("non_field_errors" if f == "__all__" else f): m
                                         for f, m in errors.items()})


def _check_rules(kind: ContentKind, project: Project, instance: models.Model) -> None:
    if kind.key == "participants":
        if instance.organisation_id == project.organisation_id:
            raise DomainError(_("Prosjektets egen organisasjon er allerede med."),
                              field="organisation")
        if ProjectParticipant.objects.filter(
                project=project, organisation_id=instance.organisation_id).exclude(
                pk=instance.pk).exists():
            raise DomainError(_("Organisasjonen er allerede med i prosjektet."),
                              field="organisation")
    # The date policy (portal.dates) for the content's dates.
    for name, date_kind in CONTENT_DATE_KINDS.items():
        if name in kind.fields:
            date_check(getattr(instance, name), field=name, kind=date_kind)


def _summary(instance: models.Model) -> str:
    return str(instance)[:200]


def project_item_add(*, actor: User, project: Project, kind: str,
                     data: dict) -> models.Model:
    """Add one content row of `kind` (CONTENT_KINDS) from `data` (field → value)."""
    spec = CONTENT_KINDS[kind]
    _require_editor(actor, project)
    instance = spec.model(project=project, **{f: data.get(f) for f in spec.fields
                                               if f in data})
    _check_rules(spec, project, instance)
    _validate(instance, exclude=["project"])
    with transaction.atomic():
        instance.save()
        project_event_record(project=project, actor=actor, kind=ProjectEventKind.ITEM_ADDED,
                             content=kind, item=instance.pk, summary=_summary(instance))
    return instance


def item_version(kind: str, instance: models.Model) -> int:
    """The version of a content row: a digest of the values a user edits. The rows have no
    version column; an edit form carries the digest of what the editor saw, and the update
    compares it with the row's current values (optimistic concurrency without a migration).
    An integer like every other `version` of the API (projects, benefits, plans: issue 15),
    of 52 bits so that a JavaScript client keeps it exactly; opaque, not a counter."""
    spec = CONTENT_KINDS[kind]
    values = []
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        value = getattr(instance, field.attname)
        if field.is_relation:
            values.append("" if value is None else str(value))
            continue
        # The same digest for the row as saved from a form ("1000", "2030-01-01") and as
        # read back from the database (Decimal("1000.00"), date(2030, 1, 1)).
        value = field.to_python(value)
        if isinstance(value, str):
            value = str(value)  # a TextChoices member as its plain value
        elif isinstance(value, Decimal) and field.decimal_places is not None:
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        values.append(repr(value))
    return int(hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:13], 16)


def project_item_update(*, actor: User, project: Project, kind: str, instance: models.Model,
                        data: dict, expected_version: int | None = None) -> models.Model:
    """Change one content row. `expected_version` (item_version() of the row the editor
    started from): if somebody saved the row in between, the change is refused as a conflict
    instead of silently overwriting theirs. None skips the check (internal callers)."""
    spec = CONTENT_KINDS[kind]
    _require_editor(actor, project)
    if instance.project_id != project.pk:
        raise DomainError(_("Hører ikke til prosjektet."))
    changed = [f for f in spec.fields if f in data]
    with transaction.atomic():
        # Locked, so two saves of the same version cannot both pass the check.
        current = spec.model.objects.select_for_update().filter(pk=instance.pk).first()
        if current is None:
            raise ConflictError(_("Noen andre har fjernet dette i mellomtiden."),
                                code="item_removed")
        if expected_version is not None and item_version(kind, current) != expected_version:
            raise ConflictError(
                _("Noen andre har endret dette siden du åpnet skjemaet. Last siden på nytt, "
                  "se over endringene og lagre igjen."), code="version_conflict")
        for field in changed:
            setattr(current, field, data[field])
        _check_rules(spec, project, current)
        _validate(current, exclude=["project"])
        current.save()
        project_event_record(project=project, actor=actor,
                             kind=ProjectEventKind.ITEM_UPDATED, content=kind,
                             item=current.pk, summary=_summary(current), fields=changed)
    return current


def project_item_remove(*, actor: User, project: Project, kind: str,
                        instance: models.Model) -> None:
    _require_editor(actor, project)
    if instance.project_id != project.pk:
        raise DomainError(_("Hører ikke til prosjektet."))
    with transaction.atomic():
        item_id, summary = instance.pk, _summary(instance)
        instance.delete()
        project_event_record(project=project, actor=actor,
                             kind=ProjectEventKind.ITEM_REMOVED, content=kind, item=item_id,
                             summary=summary)


def project_update(*, actor: User, project: Project, version: int, **data) -> Project:
    """Change the project's own fields. `version` is the one the editor started from: if
    somebody saved in between, the update is refused as a conflict, never silently lost."""
    _require_editor(actor, project)
    fields = [f for f in PROJECT_FIELDS if f in data]
    current = Project.objects.get(pk=project.pk)
    attnames = {f: current._meta.get_field(f).attname for f in fields}
    before = {f: getattr(current, attnames[f]) for f in fields}
    for field in fields:
        setattr(current, field, data[field])
    changed = [f for f in fields if getattr(current, attnames[f]) != before[f]]
    if current.leader_id and not current.organisation.memberships.filter(
            user_id=current.leader_id).exists():
        raise DomainError(_("Prosjektlederen må være medlem av organisasjonen."),
                          field="leader")
    if current.unit_id and current.unit.organisation_id != current.organisation_id:
        raise DomainError(_("Velg en enhet i prosjektets organisasjon."), field="unit")
    _validate(current, exclude=["initiative", "organisation", "adopted_from"])
    values = {attnames[f]: getattr(current, attnames[f]) for f in fields}
    with transaction.atomic():
        # Compare-and-swap on the version: one UPDATE, no lock held while the user typed.
        updated = Project.objects.filter(pk=project.pk, version=version).update(
            **values, version=F("version") + 1, updated_at=timezone.now())
        if not updated:
            raise ConflictError(
                _("Noen andre har endret prosjektet siden du åpnet skjemaet. Last siden på "
                  "nytt, se over endringene og lagre igjen."), code="version_conflict")
        if "title" in fields:
            # The initiative carries the title for the indicators and the exchange format.
            project.initiative.__class__.objects.filter(pk=project.initiative_id).update(
                title=current.title)
        project_event_record(project=project, actor=actor, kind=ProjectEventKind.UPDATED,
                             fields=changed)
    project.refresh_from_db()
    return project


def project_visit_record(*, user: User, project: Project) -> datetime.datetime | None:
    """Remember that the user opened the project now; return the previous visit (None on the
    first one). An upsert on the unique (user, project), so two tabs at once are fine."""
    if not user.is_authenticated:
        return None
    now = timezone.now()
    # One INSERT … ON CONFLICT DO UPDATE on the unique (user, project), in autocommit
    # (update_or_create took a transaction, a locking read and a write: five round trips on
    # every page view; bulk_create's upsert still wraps itself in a transaction). On
    # PostgreSQL the previous visit comes back from the same statement: its WITH reads the
    # row in the statement's snapshot, before the upsert, and RETURNING hands it back.
    # SQLite evaluates that subquery after the write, so there it is read first.
    table = ProjectVisit._meta.db_table
    upsert = (f"INSERT INTO {table} (user_id, project_id, seen_at) VALUES (%s, %s, %s) "
              f"ON CONFLICT (user_id, project_id) DO UPDATE SET seen_at = excluded.seen_at")
    params = [user.pk, project.pk, connection.ops.adapt_datetimefield_value(now)]
    if connection.vendor != "postgresql":
        previous = (ProjectVisit.objects.filter(user=user, project=project)
                    .values_list("seen_at", flat=True).first())
        with connection.cursor() as cursor:
            cursor.execute(upsert, params)
        return previous
    with connection.cursor() as cursor:
        cursor.execute(f"WITH previous AS (SELECT seen_at FROM {table} WHERE user_id = %s "
                       f"AND project_id = %s) {upsert} RETURNING (SELECT seen_at FROM previous)",
                       [user.pk, project.pk, *params])
        return cursor.fetchone()[0]

