import datetime

import pytest

from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project

PATH = ["concept", "pilot", "implementation", "benefit_realisation", "spread"]


def make_project(org, phase="implementation", *, leader=None, title="Nattilsyn"):
    initiative = Initiative.objects.create(organisation=org, title=title)
    project = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                     need="Behov", leader=leader)
    for n, p in enumerate(PATH[:PATH.index(phase) + 1]):
        phase_change_record(initiative=initiative, to_phase=p, actor=None,
                            effective_date=datetime.date(2024, 1 + 2 * n, 1))
    project.initiative.refresh_from_db()
    return project


@pytest.fixture
def project(home_org, project_leader):
    return make_project(home_org, leader=project_leader)


def benefit_fields(**overrides):
    data = {"title": "Færre nattlige tilsyn", "type": "time_saved", "dimension": "organisational",
            "unit": "timer/uke", "direction": "decrease", "baseline_value": "40",
            "baseline_on": datetime.date(2024, 1, 15), "target_value": "25",
            "target_on": datetime.date(2025, 6, 1), "nok_per_unit": "620",
            "periods_per_year": "52"}
    data.update(overrides)
    return data
