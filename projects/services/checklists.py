"""Gate checklists: the organisation's exit criteria per phase (the template) and the ticks a
project's leader sets while preparing the gate."""

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.models import Phase
from portal.access import user_can
from portal.errors import DomainError, Forbidden
from portal.events import event_organisation_id, organisation_event_record
from portal.models import Organisation, User
from portal.roles import Capability
from projects.access import may_edit
from projects.events import ORG_CHECKLIST_CHANGED, ProjectEventKind, project_event_record
from projects.models import GateChecklistItem, Project, ProjectChecklistTick
from projects.phases import PROJECT_PHASES

# docs/domain.md "Projects and phases", column "typical gate evidence", and the KS roadmap's exit
# criteria for the pilot phase (research/peers.md §A.3): what must be in place before a project
# leaves the phase. Stored in Norwegian, the organisation's working language; each
# organisation edits its own copy.
DEFAULT_CHECKLISTS: dict[str, list[str]] = {
    Phase.CONCEPT: [
        gettext_noop("Forankret i ledelsen"),
        gettext_noop("Forventede gevinster beskrevet"),
        gettext_noop("Første gevinstkart laget"),
    ],
    Phase.PILOT: [
        gettext_noop("Plan for utprøvingen"),
        gettext_noop("Nullpunktsmåling gjennomført"),
        gettext_noop("Risiko- og sårbarhetsanalyse (ROS) gjennomført"),
        gettext_noop("Arbeidsprosesser, roller, ansvar og rutiner er beskrevet"),
        gettext_noop("Tjenesten er prøvd ut over tid og evaluert"),
    ],
    Phase.IMPLEMENTATION: [
        gettext_noop("Gevinstrealiseringsplan godkjent"),
        gettext_noop("Gevinsteiere utpekt"),
        gettext_noop("Rutiner og opplæring på plass i drift"),
    ],
    Phase.BENEFIT_REALISATION: [
        gettext_noop("Gevinster målt og dokumentert mot nullpunktet"),
    ],
    Phase.SPREAD: [
        gettext_noop("Adopsjon av andre enheter eller organisasjoner registrert"),
    ],
}


def checklists_seed_for_event(event_id: int) -> int:
    """The consumer of organisation events (ProjectsConfig.ready(); organisations from before
    it got theirs in a data migration): a new organisation, or its first member, gets the
    default checklists. Reads never seed (a GET writes nothing)."""
    org_id = event_organisation_id(event_id)
    if org_id is None:
        return 0
    checklists_ensure_defaults(org_id)
    return 1


def checklists_ensure_defaults(organisation: Organisation | int) -> None:
    """Give an organisation the default checklists the first time it needs them. Never again
    once it has any item (also retired ones): its own edits win."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if GateChecklistItem.objects.filter(organisation_id=org_id).exists():
        return
    GateChecklistItem.objects.bulk_create([
        GateChecklistItem(organisation_id=org_id, phase=phase, text=text, position=position)
        for phase, texts in DEFAULT_CHECKLISTS.items()
        for position, text in enumerate(texts)], ignore_conflicts=True)


def checklist_items(project: Project, phase: str | None = None) -> QuerySet:
    """The active items of `phase` (default: the project's current phase) with this
    project's tick (at most one: project_tick_once), in one query; what `gate_checklist`
    reads, so a page can evaluate it with its other reads (portal.prefetch.read_together)."""
    phase = phase or project.initiative.phase
    tick = ProjectChecklistTick.objects.filter(project=project, item=OuterRef("pk"))
    return (GateChecklistItem.objects.filter(organisation_id=project.organisation_id,
                                             phase=phase, is_active=True)
            .annotate(tick_id=Subquery(tick.values("pk")[:1]),
                      tick_by=Subquery(tick.values("ticked_by__username")[:1]),
                      tick_at=Subquery(tick.values("ticked_at")[:1])))


def gate_checklist(project: Project, phase: str | None = None, *,
                   items: QuerySet | None = None) -> list[dict]:
    """The checklist of `phase` (default: the project's current phase) as it stands now: one
    dict per active item, JSON-safe, so it can be frozen into the gate decision. `items`:
    `checklist_items(project, phase)` when the caller has evaluated it already."""
    if items is None:
        items = checklist_items(project, phase)
    rows = [{"item": item.pk, "text": item.text, "done": item.tick_id is not None,
             "by": item.tick_by if item.tick_id is not None else None,
             "at": item.tick_at.isoformat() if item.tick_id is not None else None}
            for item in items]
    # A read: it never seeds the defaults (the organisation got them when it was created or got
    # its first member, projects.apps; the write services seed them as a fallback).
    return rows


def checklist_tick(*, actor: User, project: Project, item: GateChecklistItem,
                   done: bool) -> bool:
    """Mark one item done (or open again) for the project. Returns whether anything changed;
    ticking twice is a no-op, so a double submit writes one event."""
    if not may_edit(actor, project):
        raise Forbidden(_("Bare prosjektlederen og ledere i organisasjonen kan forberede "
                          "porten."))
    if item.organisation_id != project.organisation_id or not item.is_active:
        raise DomainError(_("Punktet hører ikke til prosjektets sjekkliste."), field="item")
    with transaction.atomic():
        if done:
            _tick, changed = ProjectChecklistTick.objects.get_or_create(
                project=project, item=item, defaults={"ticked_by": actor})
        else:
            changed = ProjectChecklistTick.objects.filter(project=project,
                                                          item=item).delete()[0] > 0
        if changed:
            # Whether this tick completed the checklist of the phase the project is in: a
            # fact of this moment (the notices that the gate is ready are written from the
            # event after the commit, when more may have changed).
            complete = done and item.phase == project.initiative.phase and all(
                row["done"] for row in gate_checklist(project))
            project_event_record(
                project=project, actor=actor,
                kind=ProjectEventKind.CHECKLIST_TICKED if done
                else ProjectEventKind.CHECKLIST_UNTICKED,
                item=item.pk, text=item.text, phase=item.phase, checklist_complete=complete)
    return changed


def _require_checklist_admin(actor: User, organisation_id: int) -> None:
    if not user_can(actor, organisation_id, Capability.DECIDE_GATES):
        raise Forbidden(_("Bare ledere og administratorer endrer sjekklistene."))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Skriv hva som skal være på plass."), field="text")
    if len(text) > 300:
        raise DomainError(_("Høyst 300 tegn."), field="text")
    return text


def _save_unique(write) -> None:
    """Run a write that the one-active-item-per-text constraint may refuse."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        raise DomainError(_("Punktet finnes allerede for denne fasen."), field="text",
                          code="duplicate")


def checklist_item_add(*, actor: User, organisation: Organisation, phase: str,
                       text: str) -> GateChecklistItem:
    _require_checklist_admin(actor, organisation.pk)
    if phase not in PROJECT_PHASES:
        raise DomainError(_("Velg en prosjektfase."), field="phase")
    text = _clean_text(text)
    with transaction.atomic():
        checklists_ensure_defaults(organisation)
        last = (GateChecklistItem.objects.filter(organisation=organisation, phase=phase)
                .order_by("-position").first())
        item = GateChecklistItem(organisation=organisation, phase=phase, text=text,
                                 position=(last.position + 1) if last else 0)
        _save_unique(item.save)
        organisation_event_record(organisation=organisation, actor=actor,
                                  kind=ORG_CHECKLIST_CHANGED, action="added", item=item.pk,
                                  phase=phase, text=text)
    return item


def checklist_item_update(*, actor: User, item: GateChecklistItem, text: str) -> None:
    _require_checklist_admin(actor, item.organisation_id)
    text = _clean_text(text)
    with transaction.atomic():
        before = item.text
        _save_unique(lambda: GateChecklistItem.objects.filter(pk=item.pk).update(text=text))
        item.text = text
        organisation_event_record(organisation=item.organisation, actor=actor,
                                  kind=ORG_CHECKLIST_CHANGED, action="updated", item=item.pk,
                                  phase=item.phase, before=before, text=text)


def checklist_item_retire(*, actor: User, item: GateChecklistItem) -> None:
    """Take an item out of use. Its ticks stay (history), it no longer counts as open."""
    _require_checklist_admin(actor, item.organisation_id)
    with transaction.atomic():
        GateChecklistItem.objects.filter(pk=item.pk).update(is_active=False)
        item.is_active = False
        organisation_event_record(organisation=item.organisation, actor=actor,
                                  kind=ORG_CHECKLIST_CHANGED, action="retired", item=item.pk,
                                  phase=item.phase, text=item.text,
                                  at=timezone.now().isoformat())
