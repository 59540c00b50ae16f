import io

from django.core.management import call_command
from django.utils import timezone

from initiatives.models import PhaseChange
from portal.models import User
from projects.models import Project, ProjectChecklistTick, ProjectMilestone, ProjectRisk
from projects.services import project_adopt


def test_demo_gives_projects_content_and_a_neighbour_project_to_adopt(db):
    call_command("load_demo", stdout=io.StringIO())
    manager = User.objects.get(username="leder")
    home = manager.memberships.get().organisation
    own = Project.objects.filter(organisation=home, adopted_from__isnull=True)
    assert own.exclude(leader=None).exists()
    assert ProjectRisk.objects.filter(project__organisation=home).exists()
    assert ProjectChecklistTick.objects.filter(project__organisation=home).exists()
    overdue = [m for m in ProjectMilestone.objects.filter(project__organisation=home)
               if m.is_overdue(timezone.localdate())]
    assert len(overdue) == 1
    neighbour_project = Project.objects.get(title="Sensorbasert nattilsyn i omsorgsboliger")
    assert neighbour_project.visibility == "public"
    assert neighbour_project.organisation != home
    adopted = project_adopt(actor=manager, origin=neighbour_project, organisation=home)
    assert adopted.adopted_from == neighbour_project

    counts = (Project.objects.count(), PhaseChange.objects.count(),
              ProjectRisk.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (Project.objects.count(), PhaseChange.objects.count(),
                      ProjectRisk.objects.count())
