"""Demo benefit work: the night-time digital supervision of Tynset (from the demo portfolio,
exchange.demo) gets its plan, owners, measurements (one of them a negative result), costs, a
small benefit map and a due reminder. Everything through gevinst.services, so it is
idempotent by checking what is already there."""

from __future__ import annotations

import datetime

from gevinst import services
from gevinst.models import Benefit, BenefitMapNode, BenefitPlan, PlanStatus
from portal.models import User
from projects.models import Project, ProjectCost

COSTS = [("investment", "one_off", "Sensorer og oppsett", 380_000, 2023),
         ("training", "one_off", "Opplæring av nattpersonalet", 60_000, 2024),
         ("operations", "annual", "Lisenser og drift av varslingsplattform", 95_000, 2024)]
MAP_NODES = [("precondition", "Stabilt trådløst nett hos brukerne"),
             ("action", "Digitalt tilsyn med sensorer"),
             ("action", "Nye rutiner for nattpatruljen"),
             ("effect", "Færre fysiske tilsynsbesøk"),
             ("effect", "Uforstyrret nattesøvn"),
             ("benefit", "Spart tid i nattpatruljen"),
             ("benefit", "Bedre nattesøvn for brukerne"),
             ("goal", "Bærekraftige helse- og omsorgstjenester")]
MAP_EDGES = [(0, 1), (1, 3), (2, 3), (1, 4), (3, 5), (4, 6), (5, 7), (6, 7)]


def load_benefit_work(*, home) -> str:
    manager = User.objects.filter(username="leder", memberships__organisation=home).first()
    leader = User.objects.filter(username="prosjektleder",
                                 memberships__organisation=home).first()
    project = Project.objects.filter(initiative__key="demo-tilsyn", organisation=home).first()
    if manager is None or project is None:
        return ""
    if leader is not None:
        # Demo only: the projects app has no leader assignment service yet. The leader leads
        # the supervision project and the medicine dispenser project (in implementation), so
        # the demo leader can add benefits there.
        Project.objects.filter(initiative__key__in=["demo-tilsyn", "demo-dosett"],
                               organisation=home, leader__isnull=True).update(leader=leader)
        project.refresh_from_db()
    for benefit in project.benefits.filter(owner__isnull=True):
        services.benefit_update(actor=manager, benefit=benefit, expected_version=benefit.version,
                                owner=manager, status="in_progress")
    if not Benefit.objects.filter(project=project, title="Trygghet for pårørende").exists():
        benefit = services.benefit_create(
            actor=manager, project=project, title="Trygghet for pårørende", type="quality",
            dimension="user", beneficiary="relatives", owner=manager, unit="prosent (%)",
            direction="increase", baseline_value="70", baseline_on=datetime.date(2023, 6, 1),
            baseline_method="Spørreundersøkelse til pårørende (n = 48)", target_value="85",
            target_on=datetime.date(2025, 6, 1), status="in_progress",
            assumptions="Svarprosenten var lav i 2024; resultatet er usikkert.")
        # A negative result: fewer relatives felt safe after the first months.
        services.measurement_create(actor=manager, benefit=benefit,
                                    measured_on=datetime.date(2024, 6, 1), value="64",
                                    evidence="Spørreundersøkelse juni 2024 (n = 31)")
    for category, recurrence, description, amount, year in COSTS:
        ProjectCost.objects.get_or_create(
            project=project, description=description,
            defaults={"category": category, "recurrence": recurrence, "amount_nok": amount,
                      "year": year})
    if not BenefitMapNode.objects.filter(project=project).exists():
        nodes = [services.map_node_add(actor=manager, project=project, kind=kind, label=label)
                 for kind, label in MAP_NODES]
        for a, b in MAP_EDGES:
            services.map_edge_add(actor=manager, project=project, source=nodes[a],
                                  target=nodes[b])
    plan = BenefitPlan.objects.filter(project=project).first()
    if plan is None or plan.interval_months is None:
        services.benefit_plan_save(
            actor=manager, project=project, interval_months=6,
            first_due_on=datetime.date(2024, 3, 1),
            notes="Gevinsteier måler tidsbruk i nattpatruljen fra turnuslistene hvert halvår, "
                  "og spør brukere og pårørende om søvn og trygghet. Planen følges opp i "
                  "ledermøtet for helse og omsorg.")
    if BenefitPlan.objects.get(project=project).status != PlanStatus.APPROVED:
        services.benefit_plan_approve(actor=manager, project=project)
    reminders = services.benefit_reminders_create()
    return (f"Benefit demo: plan approved, map drawn, {len(reminders)} new measurement "
            f"reminders.")


def load(*, home, neighbour, stdout) -> None:
    note = load_benefit_work(home=home)
    if note:
        stdout.write(note)
