"""Factories for the portal's models. Each app adds its own module next to its tests."""

import factory

from portal.models import Membership, Network, Organisation, Unit, User
from portal.roles import Role
from portal.validators import ORG_NUMBER_WEIGHTS


def make_org_number(n: int) -> str:
    """A valid organisation number (mod-11) derived from a sequence number."""
    base = 900_000_000 // 10 + n * 7
    while True:
        digits = f"{base:08d}"[-8:]
        remainder = sum(int(d) * w for d, w in zip(digits, ORG_NUMBER_WEIGHTS)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return digits + str(check)
        base += 1


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["org_number"]

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    org_number = factory.Sequence(make_org_number)
    kind = "municipality"
    county = "Innlandet"
    population = 12_000


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruker{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.no")
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.EMPLOYEE


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Nettverk {n}")
