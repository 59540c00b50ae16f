"""Two editors at once, on PostgreSQL row locks: the version check after the lock turns the
loser into a conflict instead of a lost update."""

import pytest
from django.db import connection

from gevinst import services
from gevinst.models import Benefit, BenefitEvent
from portal.roles import Role
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.gevinst.conftest import benefit_fields, make_project


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_editors_saving_the_same_version_exactly_one_wins():
    org = OrganisationFactory()
    editors = [MembershipFactory(user=UserFactory(), organisation=org, role=Role.MANAGER).user
               for _ in range(2)]
    project = make_project(org)
    benefit = services.benefit_create(actor=editors[0], project=project, **benefit_fields())
    outcomes = race(
        lambda user, title: services.benefit_update(
            actor=user, benefit=Benefit.objects.get(pk=benefit.pk), expected_version=1,
            title=title),
        ["Tittel 0", "Tittel 1"], editors)
    assert outcomes.count("conflict") == 1
    winner = next(o for o in outcomes if o != "conflict")
    stored = Benefit.objects.get(pk=benefit.pk)
    assert (stored.title, stored.version) == (winner, 2)
    assert BenefitEvent.objects.filter(kind="benefit_updated").count() == 1
