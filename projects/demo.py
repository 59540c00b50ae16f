"""Demo content for the project pages: the home municipality's projects (started by the ideas
demo) get a leader, checklists in progress, team, costs, risks and milestones (one overdue);
the neighbour municipality shares a public project that the demo manager can adopt.
Everything goes through the services, except the neighbour project's start (there is no
"project without an idea" page yet), which uses the phase-log writer like the import does."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from portal.models import Organisation, User
from projects.models import GateChecklistItem, Project
from projects.services import (
    checklist_tick,
    checklists_ensure_defaults,
    project_item_add,
    project_update,
)

NEIGHBOUR_TITLE = "Sensorbasert nattilsyn i omsorgsboliger"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _content(project: Project, actor: User, today: datetime.date, *, overdue: bool) -> None:
    def add(content: str, **data) -> None:
        project_item_add(actor=actor, project=project, kind=content, data=data)

    add("team", name="Ingrid Berg", role="Prosjektleder")
    add("team", name="Kari Nordmann", role="Sykepleier, superbruker")
    add("costs", category="investment", recurrence="one_off", description="Utstyr og oppsett",
        amount_nok=180_000, year=today.year)
    add("costs", category="operations", recurrence="annual", description="Lisenser",
        amount_nok=42_000, year=today.year)
    add("funding", source="Statsforvalteren i Innlandet", scheme="Skjønnsmidler til fornying",
        amount_nok=150_000, funding_type="grant")
    add("risks", title="Personvern og samtykke", category="regulatory", probability=3,
        consequence=4, owner="Personvernombudet", mitigation="DPIA før utprøving",
        status="open")
    add("risks", title="Skepsis blant ansatte", category="attitude", probability=3,
        consequence=3, owner="Enhetsleder", mitigation="Superbrukere og opplæring",
        status="open")
    add("partners", name="Velferdsteknologi AS", kind="company", role="Leverandør",
        agreement_type="contract", ipr_notes="Kommunen eier data fra utprøvingen.")
    add("milestones", title="Nullpunktsmåling ferdig",
        due_on=today - datetime.timedelta(days=10) if overdue
        else today + datetime.timedelta(days=30))
    add("milestones", title="Evaluering av utprøvingen",
        due_on=today + datetime.timedelta(days=90))
    add("links", title="Prosjektplan", url="https://www.ks.no/fagomrader/innovasjon/")


def _neighbour_project(neighbour: Organisation, nabo: User, today: datetime.date) -> Project:
    initiative = Initiative.objects.create(organisation=neighbour, title=NEIGHBOUR_TITLE)
    project = Project.objects.create(
        initiative=initiative, organisation=neighbour, title=NEIGHBOUR_TITLE, leader=nabo,
        need="Faste nattlige tilsyn vekker beboerne i omsorgsboligene, og nattevaktene rekker "
             "ikke å være der når noen faktisk trenger hjelp.",
        description="Sensorer varsler nattevakten ved uro, fall eller om beboeren forlater "
                    "boligen. Tilsyn gis ved behov i stedet for etter fast runde.",
        welfare_area="digital_supervision", visibility="public")
    for phase, on in (("concept", datetime.date(2024, 9, 2)),
                      ("pilot", datetime.date(2025, 1, 6))):
        phase_change_record(initiative=initiative, to_phase=phase, effective_date=on,
                            actor=nabo)
    checklists_ensure_defaults(neighbour)
    project_item_add(actor=nabo, project=project, kind="team",
                     data={"name": "Siri Moe", "role": "Prosjektleder"})
    project_item_add(actor=nabo, project=project, kind="costs",
                     data={"category": "procurement", "recurrence": "one_off",
                           "description": "Sensorpakker", "amount_nok": 95_000,
                           "year": today.year})
    return project


def load(*, home: Organisation, neighbour: Organisation, stdout) -> None:
    people = {name: _user(name) for name in ("prosjektleder", "leder", "nabo")}
    if any(user is None for user in people.values()):
        stdout.write("projects: demo users missing, skipping.")
        return
    if Project.objects.filter(organisation=neighbour, title=NEIGHBOUR_TITLE).exists():
        stdout.write("projects: demo project content already loaded.")
        return
    manager, nabo = people["leder"], people["nabo"]
    today = timezone.localdate()
    with transaction.atomic():
        checklists_ensure_defaults(home)
        projects = list(Project.objects.filter(organisation=home).select_related(
            "initiative").order_by("created_at", "id"))
        for index, project in enumerate(projects):
            project = project_update(actor=manager, project=project, version=project.version,
                                     leader=people["prosjektleder"])
            if index < 3:
                _content(project, people["prosjektleder"], today, overdue=index == 0)
            # Checklists in progress: the first items of the current phase are done.
            items = GateChecklistItem.objects.filter(
                organisation=home, phase=project.initiative.phase, is_active=True)
            for item in list(items)[:max(0, len(items) - 1 - index % 2)]:
                checklist_tick(actor=people["prosjektleder"], project=project, item=item,
                               done=True)
        _neighbour_project(neighbour, nabo, today)
    stdout.write(f"projects: content for {len(projects)} demo projects; a public project in "
                 f"{neighbour.name} to adopt.")
