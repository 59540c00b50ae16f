"""The objects the route inventory probes: one of each kind in an organisation, built through
the services where they exist, and the URL keyword arguments each route target needs.

`build_world(org, ...)` is called for the home organisation (whose personas the matrix is
about) and for the other municipality (cross-organisation probing)."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import PortfolioImportJob
from gevinst import services as gevinst_services
from gevinst.models import BenefitMapEdge, BenefitMapNode
from ideas import services as idea_services
from indicators.models import IndicatorJob
from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from notifications.models import Notification
from notifications.tokens import unsubscribe_token
from portal.models import Membership, Organisation, Unit, User
from portal.roles import Role
from portal.services import api_token_create
from portal.sso.models import IdentityProvider
from projects.models import (
    GateChecklistItem,
    Project,
    ProjectCost,
    ProjectFunding,
    ProjectLink,
    ProjectMember,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPartner,
    ProjectRisk,
)
from projects.services import checklists_ensure_defaults
from tests.factories import MembershipFactory, UserFactory
from tests.ideas.factories import make_campaign

PDF = b"%PDF-1.4\n%%EOF\n"
D = datetime.date(2024, 1, 1)
PATH = ["concept", "pilot", "implementation"]


def _first(model, field: str) -> str:
    return model._meta.get_field(field).choices[0][0]


def _project(org: Organisation, *, title: str, leader: User | None,
             visibility: str = "organisation") -> Project:
    initiative = Initiative.objects.create(organisation=org, title=title)
    project = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                     need="Behov", leader=leader, visibility=visibility)
    for n, phase in enumerate(PATH):
        phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                            effective_date=D + datetime.timedelta(days=30 * n))
    return project


def _content(project: Project, partner_org: Organisation) -> dict[str, int]:
    """One row of every project content kind; kind → pk."""
    rows = {
        "team": ProjectMember.objects.create(project=project, name="Kari", role="Sykepleier"),
        "participants": ProjectParticipant.objects.create(project=project,
                                                          organisation=partner_org),
        "partners": ProjectPartner.objects.create(
            project=project, name="Leverandør AS", kind=_first(ProjectPartner, "kind"),
            agreement_type=_first(ProjectPartner, "agreement_type")),
        "funding": ProjectFunding.objects.create(
            project=project, source="Statsforvalteren", amount_nok=100_000,
            funding_type=_first(ProjectFunding, "funding_type")),
        "costs": ProjectCost.objects.create(
            project=project, category=_first(ProjectCost, "category"),
            recurrence=_first(ProjectCost, "recurrence"), description="Sensorer",
            amount_nok=50_000, year=2024),
        "risks": ProjectRisk.objects.create(
            project=project, title="Personvern", category=_first(ProjectRisk, "category"),
            probability=2, consequence=3),
        "milestones": ProjectMilestone.objects.create(project=project, title="Pilot i gang",
                                                      due_on=D),
        "links": ProjectLink.objects.create(project=project, title="Plan",
                                            url="https://example.no/plan"),
    }
    return {kind: row.pk for kind, row in rows.items()}


def build_world(org: Organisation, partner_org: Organisation, *, screener: User,
                manager: User, leader: User | None, token_owner: User,
                job_owner: User) -> dict[str, dict]:
    """Everything in `org`, and per route target the URL kwargs that point at it."""
    author = MembershipFactory(user=UserFactory(username=f"author-{org.org_number}"),
                               organisation=org, role=Role.EMPLOYEE).user
    author_membership = Membership.objects.get(user=author, organisation=org)
    unit = Unit.objects.create(organisation=org, name="Hjemmetjenesten")
    checklists_ensure_defaults(org)
    idea_services.criteria_ensure_defaults(org.pk)

    idea = idea_services.idea_create(actor=author, organisation=org, title="Nattilsyn med sensor",
                                     need="Nattlige tilsyn vekker brukere")
    idea_services.idea_submit(actor=author, idea=idea)
    idea_services.idea_start_review(actor=screener, idea=idea)
    comment = idea_services.comment_add(actor=author, idea=idea, body="Mer om behovet")
    attachment = idea_services.attachment_add(actor=author, idea=idea,
                                              upload=SimpleUploadedFile("plan.pdf", PDF))
    campaign = make_campaign(org, opens_on=D, closes_on=D)

    project = _project(org, title="Digitalt tilsyn", leader=leader)
    shared = _project(org, title="Delt løsning", leader=leader, visibility="public")
    items = _content(project, partner_org)
    item = GateChecklistItem.objects.filter(organisation=org, phase="implementation").first()
    benefit = gevinst_services.benefit_create(
        actor=manager, project=project, title="Færre nattlige tilsyn", type="time_saved",
        dimension="organisational", unit="timer/uke", direction="decrease",
        baseline_value="40", baseline_on=D, target_value="25",
        target_on=datetime.date(2025, 6, 1))
    gevinst_services.measurement_create(actor=manager, benefit=benefit, value="35",
                                        measured_on=datetime.date(2024, 6, 1))
    node = BenefitMapNode.objects.create(project=project, kind="action", label="Sensorer")
    effect = BenefitMapNode.objects.create(project=project, kind="effect", label="Færre besøk")
    edge = BenefitMapEdge.objects.create(project=project, source=node, target=effect)
    token, _key = api_token_create(user=token_owner, name="Rapport")
    job = IndicatorJob.objects.create(year=2024, organisation=org, requested_by=job_owner)
    import_job = PortfolioImportJob.objects.create(file_name="portefolje.json",
                                                   requested_by=job_owner, state="succeeded")
    # The review started above is a notice to the idea's submitter; one for the token owner too.
    notice = Notification.objects.create(user=token_owner, kind="status_changed", idea=idea,
                                         idea_event=idea.events.latest("id"))

    # An identity provider whose secret's variable is unset: its login and callback answer
    # 502 without reaching out (the real flow is tests/browser/test_sso_flow.py).
    provider = IdentityProvider.objects.create(
        organisation=org, slug=f"sso-{org.org_number}", issuer="https://login.example.invalid/x",
        client_id="innoportal", client_secret_env="SSO_ROUTE_WORLD_SECRET_NEVER_SET")

    targets: dict[str, dict] = {
        "": {},
        "org": {"org_number": org.org_number},
        "member": {"org_number": org.org_number, "pk": author_membership.pk},
        "unit": {"org_number": org.org_number, "pk": unit.pk},
        "token": {"pk": token.pk},
        "idea": {"pk": idea.pk},
        "comment": {"pk": idea.pk, "comment_pk": comment.pk},
        "attachment": {"pk": idea.pk, "attachment_pk": attachment.pk},
        "campaign": {"pk": campaign.pk},
        "project": {"pk": project.pk},
        "shared": {"pk": shared.pk},
        "tick": {"pk": project.pk, "item_pk": item.pk},
        "content": {"pk": project.pk, "kind": "risks"},
        "content-item": {"pk": project.pk, "kind": "risks", "item_pk": items["risks"]},
        "node": {"pk": project.pk, "node_pk": node.pk},
        "edge": {"pk": project.pk, "edge_pk": edge.pk},
        "benefit": {"pk": benefit.pk},
        "job": {"pk": job.pk},
        "import-job": {"pk": import_job.pk},
        "notification": {"pk": notice.pk},
        "unsubscribe": {"token": unsubscribe_token(token_owner)},
        "report": {"org_number": org.org_number, "year": 2024},
        "reset": {"uidb64": "MQ", "token": "ikke-gyldig"},
        "sso": {"slug": provider.slug},
        # the API's names for the same things
        "api-org": {"org_number": org.org_number},
        "api-unit": {"pk": unit.pk},
        "api-comment": {"pk": idea.pk, "comment_pk": comment.pk},
        "api-content": {"project_pk": project.pk},
    }
    for kind, pk in items.items():
        targets[f"api-{kind}"] = {"project_pk": project.pk, "pk": pk}
    return targets


def build_route_worlds(people: dict) -> dict:
    """The two organisations' worlds and the users the matrix asks as, for tests/worlds.py's
    `shared_personas(build=build_route_worlds)`: `people` are tests/personas.py's personas.
    The other municipality gets its own screener, manager, leader and employee."""
    home_org, other_org = people["home_org"], people["other_org"]

    def neighbour(username: str, role: str) -> User:
        return MembershipFactory(user=UserFactory(username=username), organisation=other_org,
                                 role=role).user

    other_screener = neighbour("naboby-koordinator", Role.COORDINATOR)
    other_manager = neighbour("naboby-leder", Role.MANAGER)
    other_leader = neighbour("naboby-prosjektleder", Role.PROJECT_LEADER)
    other_employee = neighbour("naboby-ansatt", Role.EMPLOYEE)
    home = build_world(home_org, other_org, screener=people["coordinator"],
                       manager=people["manager"], leader=people["project_leader"],
                       token_owner=people["employee"], job_owner=people["org_admin"])
    other = build_world(other_org, home_org, screener=other_screener, manager=other_manager,
                        leader=other_leader, token_owner=other_employee,
                        job_owner=people["outsider"])
    users = {"employee": people["employee"], "coordinator": people["coordinator"],
             "project_leader": people["project_leader"], "manager": people["manager"],
             "admin": people["org_admin"], "outsider": people["outsider"], "anonymous": None,
             "analyst": people["network_analyst"], "national": people["national_analyst"]}
    return {"home": home, "other": other, "users": users}
