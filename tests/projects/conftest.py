import pytest

from projects.services import checklists_ensure_defaults
from tests.projects.test_transitions import make_project


@pytest.fixture
def project(home_org, project_leader):
    """A concept-phase project of the home organisation, led by the project_leader persona,
    with the default gate checklists."""
    checklists_ensure_defaults(home_org)
    project, _ = make_project(home_org, "concept", "full")
    project.leader = project_leader
    project.save()
    return project
