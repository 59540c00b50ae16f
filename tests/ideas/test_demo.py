import io

from ideas import demo
from ideas.models import Campaign, Idea, IdeaEvent
from portal.roles import Role
from projects.models import PhaseChange, Project
from tests.factories import MembershipFactory, OrganisationFactory, UnitFactory, UserFactory


def test_demo_loads_through_the_services_and_is_idempotent(db):
    home, neighbour = OrganisationFactory(name="Tynset"), OrganisationFactory(name="Røros")
    for name in ("Hjemmetjenesten", "Sykehjem"):
        UnitFactory(organisation=home, name=name)
    for username, role in [("ansatt", Role.EMPLOYEE), ("koordinator", Role.COORDINATOR),
                           ("prosjektleder", Role.PROJECT_LEADER), ("leder", Role.MANAGER),
                           ("admin", Role.ADMIN)]:
        MembershipFactory(user=UserFactory(username=username), organisation=home, role=role)
    MembershipFactory(user=UserFactory(username="nabo"), organisation=neighbour,
                      role=Role.MANAGER)
    demo.load(home=home, neighbour=neighbour, stdout=io.StringIO())
    counts = (Idea.objects.count(), IdeaEvent.objects.count(), PhaseChange.objects.count(),
              Project.objects.count(), Campaign.objects.count())
    demo.load(home=home, neighbour=neighbour, stdout=io.StringIO())
    assert counts == (Idea.objects.count(), IdeaEvent.objects.count(),
                      PhaseChange.objects.count(), Project.objects.count(),
                      Campaign.objects.count())
    statuses = set(Idea.objects.filter(organisation=home).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "in_review", "approved", "rejected", "parked",
                        "merged"}
    assert Project.objects.count() == 6 and Idea.objects.filter(organisation=neighbour).count() == 2
    assert Idea.objects.filter(is_anonymous=True).exists()
    assert Idea.objects.filter(is_confidential=True).exists()
    years = {c.effective_date.year for c in PhaseChange.objects.filter(to_phase="concept")}
    assert years <= {2023, 2024, 2025} and len(years) == 3
