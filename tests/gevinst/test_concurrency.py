"""Two editors at once, on PostgreSQL row locks: the version check after the lock turns the
loser into a conflict instead of a lost update."""

import threading

import pytest
from django.db import connection

from gevinst import services
from gevinst.models import Benefit, BenefitEvent
from portal.errors import ConflictError
from portal.roles import Role
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
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(user, title):
        try:
            barrier.wait()
            services.benefit_update(actor=user, benefit=Benefit.objects.get(pk=benefit.pk),
                                    expected_version=1, title=title)
            outcomes.append(title)
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(u, f"Tittel {n}"))
               for n, u in enumerate(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("conflict") == 1
    winner = next(o for o in outcomes if o != "conflict")
    stored = Benefit.objects.get(pk=benefit.pk)
    assert (stored.title, stored.version) == (winner, 2)
    assert BenefitEvent.objects.filter(kind="benefit_updated").count() == 1
