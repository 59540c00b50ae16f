"""Load realistic demo data: real municipalities, units, a network and one user per role.

Idempotent: running it again updates the same rows (and resets the demo passwords)."""

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import demo_data
from portal.models import Membership, Network, Organisation, Unit, User
from portal.roles import Role

DEMO_PASSWORD = "innoportal-demo"
DEMO_APPS = [app for app in ("ideas", "projects", "exchange", "gevinst", "indicators",
                             "notifications")
             if find_spec(f"{app}.demo")]

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
            # Each app adds its own demo content, in dependency order, through its services.
            for app in DEMO_APPS:
                module = import_module(f"{app}.demo")
                module.load(home=home, neighbour=neighbour, stdout=self.stdout)
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
