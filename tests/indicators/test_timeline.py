"""The indicator timeline is only an index: on any history, compute() must give exactly what a
plain reading of the logs gives. The reference below reads the rows in Python, the slow and
obvious way, straight from docs/domain.md rules 1–7."""

import datetime
import random

import pytest

from indicators.compute import DIMENSIONS, STANDARD_1, compute
from initiatives.models import (
    COUNTED_PHASES,
    ORDERED_PHASES,
    BenefitAssessment,
    IndicatorTimeline,
    PhaseChange,
)
from initiatives.timeline import timeline_rebuild
from projects.models import Project
from tests.factories import OrganisationFactory
from tests.indicators.helpers import assess, make_initiative

PHASES = [*ORDERED_PHASES, "parked", "stopped", "rejected", "merged"]


def reference(organisations, start, end, scheme=STANDARD_1):
    out = {}
    order = {p: i for i, p in enumerate(ORDERED_PHASES)}
    phase_on = {}
    for change in PhaseChange.objects.order_by("effective_date", "id"):
        if change.effective_date <= end:
            phase_on[change.initiative_id] = change.to_phase
    latest = {}
    for a in BenefitAssessment.objects.order_by("assessed_on", "id"):
        if a.assessed_on <= end:
            latest[(a.initiative_id, a.dimension, a.kind)] = a.score
    for org in organisations:
        counts = dict.fromkeys(COUNTED_PHASES, 0)
        benefit = dict.fromkeys(DIMENSIONS, 0.0)
        for initiative in org.initiatives.all():
            phase = phase_on.get(initiative.pk)
            if phase in counts:
                counts[phase] += 1
            weight = scheme.benefit_weights.get(phase, 0)
            for dim in DIMENSIONS:
                realised = latest.get((initiative.pk, dim, "realised"))
                expected = latest.get((initiative.pk, dim, "expected"))
                value = (realised if realised is not None
                         else scheme.expected_discount * expected if expected is not None
                         else 0)
                benefit[dim] += weight * value
        forward = sum(
            1 for c in PhaseChange.objects.filter(organisation=org)
            if start <= c.effective_date <= end and c.from_phase in order
            and c.to_phase in order and order[c.to_phase] > order[c.from_phase])
        adopted = sum(
            1 for p in Project.objects.filter(adopted_from__organisation=org)
            if phase_on.get(p.initiative_id) in scheme.adoption_phases())
        out[org.pk] = (counts, sum(counts[p] * scheme.phase_points.get(p, 0) for p in counts),
                       forward, adopted * scheme.adoption_points, benefit)
    return out


def random_history(rng, organisations, today):
    projects = []
    for n in range(30):
        org = rng.choice(organisations)
        on = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(900))
        changes = []
        for _ in range(rng.randrange(1, 6)):
            changes.append((rng.choice(PHASES), on.isoformat()))
            on += datetime.timedelta(days=rng.choice([0, 0, 15, 60, 200]))
        origin = rng.choice(projects) if projects and rng.random() < 0.3 else None
        project = make_initiative(org, [c for c in changes if c[1] <= today.isoformat()],
                                  title=f"I{n}", adopted_from=origin)
        projects.append(project)
        for _ in range(rng.randrange(0, 5)):  # back-dated and out of order on purpose
            on = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(1000))
            assess(project.initiative, rng.choice(DIMENSIONS),
                   rng.choice(["expected", "realised"]), rng.randrange(4), on.isoformat())


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_compute_equals_a_plain_reading_of_the_logs(db, seed):
    rng = random.Random(seed)
    organisations = [OrganisationFactory() for _ in range(3)]
    random_history(rng, organisations, datetime.date.today())
    for start, end in [(datetime.date(y, 1, 1), datetime.date(y, 12, 31))
                       for y in (2021, 2022, 2023, 2024)] + [
            (datetime.date(2023, 4, 1), datetime.date(2023, 6, 30))]:
        got = compute(period_start=start, period_end=end, scheme=STANDARD_1)
        for org_id, (counts, stock, forward, adoption, benefit) in reference(
                organisations, start, end).items():
            mine = got.get(org_id)
            if mine is None:
                assert not any(counts.values()) and not forward and not adoption
                continue
            assert (mine.phase_counts, mine.stock_points, mine.forward_transitions,
                    mine.adoption_points) == (counts, stock, forward, adoption), (seed, end)
            assert mine.benefit_by_dimension == pytest.approx(benefit), (seed, end)
        # One organisation at a time gives the same numbers (the one-organisation recompute).
        one = organisations[0].pk
        alone = compute(period_start=start, period_end=end, scheme=STANDARD_1,
                        organisation_ids=[one])
        if one in got:
            assert alone[one] == got[one]


def test_a_full_rebuild_gives_the_rows_the_writers_left(db):
    rng = random.Random(7)
    random_history(rng, [OrganisationFactory() for _ in range(2)], datetime.date.today())
    columns = [f.attname for f in IndicatorTimeline._meta.fields if f.name != "id"]
    before = sorted(IndicatorTimeline.objects.values_list(*columns))
    timeline_rebuild(everything=True)
    assert sorted(IndicatorTimeline.objects.values_list(*columns)) == before
    assert before  # the writers did keep it
