"""The benefit demo: the supervision project gets a plan, owners, a negative result, costs, a
benefit map and a due reminder, through the services; loading twice changes nothing."""

import io

from exchange import demo as portfolio_demo
from gevinst import demo
from gevinst.models import (
    Benefit,
    BenefitEvent,
    BenefitMapEdge,
    BenefitMapNode,
    BenefitPlan,
    BenefitReminder,
    Measurement,
)
from indicators import demo as indicator_demo
from portal.roles import Role
from projects.models import ProjectCost
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def load(home, neighbour) -> None:
    """The demo portfolio, the benefit work on it and the indicators, in load_demo's order."""
    for module in (portfolio_demo, demo, indicator_demo):
        module.load(home=home, neighbour=neighbour, stdout=io.StringIO())


def test_demo_benefit_work_is_complete_and_idempotent(db):
    home = OrganisationFactory(org_number=portfolio_demo.HOME, name="Tynset kommune")
    neighbour = OrganisationFactory(org_number=portfolio_demo.NEIGHBOUR, name="Røros kommune")
    manager = MembershipFactory(user=UserFactory(username="leder"), organisation=home,
                                role=Role.MANAGER).user
    leader = MembershipFactory(user=UserFactory(username="prosjektleder"), organisation=home,
                               role=Role.PROJECT_LEADER).user
    load(home, neighbour)

    def counts():
        return (Benefit.objects.count(), Measurement.objects.count(),
                BenefitEvent.objects.count(), BenefitMapNode.objects.count(),
                BenefitMapEdge.objects.count(), ProjectCost.objects.count(),
                BenefitReminder.objects.count())

    first = counts()
    load(home, neighbour)
    assert counts() == first
    plan = BenefitPlan.objects.get()
    assert plan.status == "approved" and plan.approved_by == manager
    project = plan.project
    assert project.leader == leader
    assert not project.benefits.filter(owner__isnull=True).exists()
    assert project.benefits.count() == 3
    negative = Benefit.objects.get(title="Trygghet for pårørende")
    assert negative.measurements.get().value < negative.baseline_value  # increase is good
    assert ProjectCost.objects.filter(project=project).count() == 3
    assert BenefitMapNode.objects.filter(project=project).count() == 8
    assert BenefitReminder.objects.filter(user=manager).exists()


def test_demo_pages_render(client, db):
    home = OrganisationFactory(org_number=portfolio_demo.HOME, name="Tynset kommune")
    neighbour = OrganisationFactory(org_number=portfolio_demo.NEIGHBOUR, name="Røros kommune")
    manager = MembershipFactory(user=UserFactory(username="leder"), organisation=home,
                                role=Role.MANAGER).user
    load(home, neighbour)
    project = BenefitPlan.objects.get().project
    client.force_login(manager)
    from django.urls import reverse

    html = client.get(reverse("gevinst:project", args=[project.pk])).content.decode()
    assert "Trygghet for pårørende" in html and 'class="negative-result"' in html
    assert html.count("<rect ") == 8 and html.count("<line ") == 8
    assert "Godkjent" in html
    assert "Måling forfalt" in html  # the schedule's latest due date has no measurement yet
    for benefit in project.benefits.all():
        assert client.get(reverse("gevinst:benefit", args=[benefit.pk])).status_code == 200
    assert client.get(reverse("gevinst:plan-print", args=[project.pk])).status_code == 200
    overview = client.get(reverse("gevinst:overview")).content.decode()
    assert "Måling forfalt" in overview and "Porteføljen" in overview
