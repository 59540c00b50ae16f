"""Load realistic demo data: real municipalities, units, a network and one user per role,
then each app's demo content through its services.

Idempotent: running it again updates the same rows (and resets the demo passwords). It lives
in the composition root because it is the one place that puts every app's demo together."""

from django.core.management.base import BaseCommand
from django.db import transaction

from exchange import demo as portfolio_demo
from gevinst import demo as benefit_demo
from ideas import demo as idea_demo
from ideas.services import criteria_ensure_defaults
from indicators import demo as indicator_demo
from notifications import demo as notification_demo
from portal import demo_data
from portal.consumers import consumers_run_all
from portal.models import Membership, Network, Organisation, Unit, User
from portal.roles import Role
from projects import demo as project_demo
from projects.services import checklists_ensure_defaults

DEMO_PASSWORD = "innoportal-demo"
# Each app's demo content, in the order the data needs: the ideas (some approved into
# projects), the projects' content, the demo portfolio (imported), the benefit work on it,
# the indicators of the whole history.
DEMO_CONTENT = [idea_demo, project_demo, portfolio_demo, benefit_demo, indicator_demo]

# username, first name, last name, role in the home organisation (None: no membership)
DEMO_USERS = [
    ("ansatt", "Kari", "Nordmann", Role.EMPLOYEE),
    ("koordinator", "Ola", "Hansen", Role.COORDINATOR),
    ("prosjektleder", "Ingrid", "Berg", Role.PROJECT_LEADER),
    ("leder", "Per", "Johansen", Role.MANAGER),
    ("admin", "Anne", "Larsen", Role.ADMIN),
]


class Command(BaseCommand):
    help = "Load demo organisations, units, a network and one user per role."

    def handle(self, *args, **options):
        with transaction.atomic():
            organisations = self.load_organisations()
            home, neighbour = self.home_and_neighbour(organisations)
            self.load_units(organisations)
            networks = self.load_networks(organisations)
            logins = self.load_users(home, neighbour, networks)
            # The demo adds its members directly, without the organisation events that seed
            # an organisation's defaults (ideas.apps, projects.apps); pages never seed them.
            for org in (home, neighbour):
                criteria_ensure_defaults(org)
                checklists_ensure_defaults(org)
            first_notice = notification_demo.last_notice_id()
            for module in DEMO_CONTENT:
                module.load(home=home, neighbour=neighbour, stdout=self.stdout)
        # What the demo's services wrote is consumed after the commit (notices, the benefit
        # plan's re-approval); run the consumers now, so the demo is complete when the
        # command returns, also with a worker that is not running yet. Then the notices.
        consumers_run_all(until_idle=True)
        notification_demo.load(after=first_notice, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {len(organisations)} organisations, {Unit.objects.count()} units, "
            f"{len(networks)} networks."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in logins:
            self.stdout.write(f"  {username:<14} {description}")

    def load_organisations(self) -> dict[str, Organisation]:
        organisations = {}
        for row in [*demo_data.MUNICIPALITIES, *demo_data.HEALTH_TRUSTS]:
            org, _ = Organisation.objects.update_or_create(
                org_number=row["org_number"],
                defaults={"name": row["name"], "kind": row["kind"], "county": row["county"],
                          "population": row.get("population")},
            )
            org.full_clean()
            organisations[org.org_number] = org
        return organisations

    def home_and_neighbour(self, organisations):
        home = organisations[demo_data.DEMO_HOME]
        neighbour = organisations[demo_data.DEMO_NEIGHBOUR]
        return home, neighbour

    def load_units(self, organisations) -> None:
        for org in organisations.values():
            if org.kind != "municipality":
                continue
            for parent_name, children in demo_data.UNITS:
                parent, _ = Unit.objects.get_or_create(organisation=org, name=parent_name,
                                                       parent=None)
                for child in children:
                    Unit.objects.get_or_create(organisation=org, name=child, parent=parent)

    def load_networks(self, organisations) -> list[Network]:
        networks = []
        for row in demo_data.NETWORKS:
            network, _ = Network.objects.update_or_create(
                name=row["name"], defaults={"description": row.get("description", "")})
            network.organisations.set([organisations[n] for n in row["members"]])
            networks.append(network)
        return networks

    def load_users(self, home, neighbour, networks) -> list[tuple[str, str]]:
        logins = []
        home_unit = Unit.objects.filter(organisation=home, name="Hjemmetjenesten").first()
        for username, first, last, role in DEMO_USERS:
            user = self.user(username, first, last)
            Membership.objects.update_or_create(
                user=user, organisation=home, defaults={"role": role, "unit": home_unit})
            logins.append((username, f"{Role(role).label} i {home.name}"))
        other = self.user("nabo", "Siri", "Moe")
        Membership.objects.update_or_create(user=other, organisation=neighbour,
                                            defaults={"role": Role.MANAGER})
        logins.append(("nabo", f"{Role.MANAGER.label} i {neighbour.name} (annen kommune)"))
        analyst = self.user("nettverk", "Nils", "Dahl")
        networks[0].analysts.add(analyst)
        logins.append(("nettverk", f"Nettverksanalytiker for {networks[0].name}"))
        self.user("analytiker", "Hanne", "Strand", national=True)
        logins.append(("analytiker", "Nasjonal analytiker (KS, statsforvalteren)"))
        self.user("drift", "Drift", "Innoportal", superuser=True)
        logins.append(("drift", "Driftsadministrator (/django-admin/)"))
        return logins

    def user(self, username, first, last, *, national=False, superuser=False) -> User:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last,
                      "email": f"{username}@demo.innoportal.no",
                      "is_national_analyst": national,
                      "is_staff": superuser, "is_superuser": superuser},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user
