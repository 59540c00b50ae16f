"""The people of the suite: one organisation ("home") with a user per role, an outsider from
another municipality, and the analysts. tests/conftest.py makes them per test as fixtures;
tests/worlds.py makes the same people once for a module."""

from portal.roles import Role
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory


def make_home_org():
    return OrganisationFactory(name="Hjemby kommune", population=12_000, county="Innlandet")


def make_other_org():
    return OrganisationFactory(name="Naboby kommune", population=3_000, county="Trøndelag")


def member(org, role, username):
    return MembershipFactory(user=UserFactory(username=username), organisation=org,
                             role=role).user


def make_network_analyst(home_org, other_org):
    user = UserFactory(username="network_analyst")
    network = NetworkFactory(name="Testnettverket")
    network.organisations.set([home_org, other_org])
    network.analysts.add(user)
    return user


def make_national_analyst():
    return UserFactory(username="national_analyst", is_national_analyst=True)


def make_personas() -> dict:
    """Every persona fixture's person, made in the fixtures' order."""
    home, other = make_home_org(), make_other_org()
    return {
        "home_org": home, "other_org": other,
        "employee": member(home, Role.EMPLOYEE, "employee"),
        "coordinator": member(home, Role.COORDINATOR, "coordinator"),
        "project_leader": member(home, Role.PROJECT_LEADER, "project_leader"),
        "manager": member(home, Role.MANAGER, "manager"),
        "org_admin": member(home, Role.ADMIN, "org_admin"),
        "outsider": member(other, Role.ADMIN, "outsider"),
        "network_analyst": make_network_analyst(home, other),
        "national_analyst": make_national_analyst(),
    }
