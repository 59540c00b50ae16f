"""Build initiatives with a dated phase history, through the real phase-log writer."""

import datetime
from decimal import Decimal

from gevinst.history import measurement_add
from gevinst.models import Benefit
from initiatives.assessments import assessment_add
from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def make_initiative(org, changes, *, title="Initiativ", project=True, adopted_from=None,
                    track="full"):
    # An adoption's lineage is on the project and on its initiative (as project_adopt and the
    # import write it).
    initiative = Initiative.objects.create(
        organisation=org, title=title, track=track,
        adopted_from_id=adopted_from.initiative_id if adopted_from is not None else None)
    result = initiative
    if project:
        result = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                        need="Behov", track=track, adopted_from=adopted_from)
    for phase, on in changes:
        phase_change_record(initiative=initiative, to_phase=phase, effective_date=d(on),
                            actor=None)
    return result


def assess(initiative, dimension, kind, score, on):
    return assessment_add(initiative=initiative, dimension=dimension, kind=kind, score=score,
                          assessed_on=d(on))


def valued_benefit(project, *, direction, baseline, measurements, nok=300, periods=52):
    benefit = Benefit.objects.create(
        project=project, title="Gevinst", type="time_saved", dimension="organisational",
        unit="timer/uke", direction=direction, baseline_value=Decimal(baseline),
        baseline_on=d("2024-01-01"), target_value=Decimal(baseline), target_on=d("2026-01-01"),
        nok_per_unit=Decimal(nok) if nok is not None else None,
        periods_per_year=Decimal(periods) if periods is not None else None)
    for on, value in measurements:
        measurement_add(benefit=benefit, measured_on=d(on), value=Decimal(value))
    return benefit
