import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from indicators import services
from indicators.models import IndicatorJob, IndicatorSnapshot, JobState, PointScheme
from initiatives.models import IndicatorDirty
from portal.errors import ConflictError
from tests.factories import OrganisationFactory
from tests.indicators.helpers import d, make_initiative


@pytest.fixture
def two_orgs(db):
    a, b = OrganisationFactory(), OrganisationFactory()
    make_initiative(a, [("concept", "2024-02-01"), ("pilot", "2024-05-01")])
    make_initiative(b, [("idea", "2024-03-01")], project=False)
    return a, b


def snap(org, year=2024, quarter=0):
    return IndicatorSnapshot.objects.get(organisation=org, year=year, quarter=quarter)


def test_recompute_writes_a_snapshot_for_every_organisation_with_the_scheme(two_orgs):
    a, b = two_orgs
    empty = OrganisationFactory()
    written = services.indicators_recompute(year=2024)
    assert written == 3
    assert snap(a).points == Decimal("4") and snap(a).count_pilot == 1
    assert snap(b).points == Decimal("1")
    assert snap(empty).points == 0 and snap(empty).status == "preliminary"
    assert snap(a).scheme.label == "standard-1"
    assert (snap(a).period_start, snap(a).period_end) == (d("2024-01-01"), d("2024-12-31"))


def test_quarter_snapshot_has_quarter_bounds(two_orgs):
    a, _b = two_orgs
    services.indicators_recompute(year=2024, quarter=1)
    q1 = snap(a, quarter=1)
    assert (q1.period_start, q1.period_end) == (d("2024-01-01"), d("2024-03-31"))
    assert q1.count_concept == 1 and q1.points == 2


def test_frozen_period_is_final_and_refuses_a_recompute(two_orgs, org_admin):
    a, _b = two_orgs
    services.indicators_recompute(year=2024)
    services.indicators_freeze(actor=org_admin, year=2024)
    before = snap(a)
    assert before.status == "final"
    make_initiative(a, [("idea", "2024-06-01")], project=False)
    with pytest.raises(ConflictError) as info:
        services.indicators_recompute(year=2024)
    assert "frosset" in info.value.message
    after = snap(a)
    assert (after.points, after.computed_at, after.status) == (
        before.points, before.computed_at, "final")


def test_freezing_a_year_without_numbers_is_refused(db, org_admin):
    from portal.errors import DomainError

    with pytest.raises(DomainError):
        services.indicators_freeze(actor=org_admin, year=2019)


def test_a_recompute_killed_while_writing_leaves_the_previous_snapshots(two_orgs):
    a, _b = two_orgs
    services.indicators_recompute(year=2024)
    previous = snap(a)
    make_initiative(a, [("spread", "2024-07-01")])
    real_upsert = services.upsert_rows

    def killed_half_way(model, columns, rows, **kwargs):
        real_upsert(model, columns, rows[:1], **kwargs)  # some rows are written, then…
        raise RuntimeError("worker killed")

    with mock.patch.object(services, "upsert_rows", side_effect=killed_half_way):
        with pytest.raises(RuntimeError):
            services.indicators_recompute(year=2024)
    assert snap(a).points == previous.points == Decimal("4")
    services.indicators_recompute(year=2024)  # the rerun finishes the work
    assert snap(a).points == Decimal("20")


def test_new_scheme_version_applies_from_its_valid_from_and_old_snapshots_keep_theirs(two_orgs):
    a, _b = two_orgs
    services.indicators_recompute(year=2024)
    old = PointScheme.objects.get(name="standard", version=1)
    PointScheme.objects.create(
        name="standard", version=2, valid_from=d("2025-01-01"),
        phase_points={**old.phase_points, "pilot": 5}, adoption_points=4,
        adoption_min_phase="implementation", benefit_weights=old.benefit_weights,
        expected_discount=Decimal("0.5"))
    services.indicators_recompute(year=2025)
    assert snap(a, 2025).scheme.label == "standard-2" and snap(a, 2025).points == 5
    assert snap(a, 2024).scheme.label == "standard-1" and snap(a, 2024).points == 4


# serialized_rollback: the flush after a transactional test would drop standard-1, which a data
# migration created.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real locks")
def test_two_concurrent_recomputes_give_the_same_result():
    a, b = OrganisationFactory(), OrganisationFactory()
    make_initiative(a, [("concept", "2024-02-01"), ("implementation", "2024-05-01")],
                    track="fast_track")
    make_initiative(b, [("idea", "2024-03-01")], project=False)
    errors = []

    def run():
        try:
            services.indicators_recompute(year=2024)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert IndicatorSnapshot.objects.filter(year=2024, quarter=0).count() == 2
    assert snap(a).points == 8 and snap(b).points == 1


def test_phase_change_marks_the_organisation_and_the_adoption_origin_dirty(db):
    a, b = OrganisationFactory(), OrganisationFactory()
    origin = make_initiative(a, [("implementation", "2024-01-10")])
    IndicatorDirty.objects.all().delete()
    with mock.patch("portal.consumers._wake_after_commit"):
        make_initiative(b, [("pilot", "2024-02-10")], adopted_from=origin)
    marked = set(IndicatorDirty.objects.values_list("organisation_id", flat=True))
    assert marked == {a.pk, b.pk}


def test_a_burst_of_edits_schedules_one_recompute(db, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from innoportal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False  # a worker's queue to protect, as with Redis
    cache.delete("consumers:indicators.recompute:scheduled")
    org = OrganisationFactory()
    try:
        with mock.patch("portal.tasks.consumer_run.apply_async") as enqueue:
            for day in range(1, 6):
                with django_capture_on_commit_callbacks(execute=True):
                    make_initiative(org, [("idea", f"2024-03-0{day}")], project=False)
    finally:
        app.conf.task_always_eager = saved
    assert enqueue.call_count == 1
    assert enqueue.call_args.kwargs["args"] == ["indicators.recompute"]
    assert enqueue.call_args.kwargs["countdown"] == services.DEBOUNCE_SECONDS
    # The marks wait for that one job: one row per organisation and period.
    assert IndicatorDirty.objects.filter(organisation=org, year=2024, quarter=0).count() == 1


def test_drain_recomputes_marked_organisations_and_keeps_marks_made_meanwhile(db):
    org = OrganisationFactory()
    with mock.patch("portal.consumers._wake_after_commit"):
        make_initiative(org, [("concept", "2024-02-01")])
    real_recompute = services.indicators_recompute

    def recompute_and_edit(**kwargs):
        result = real_recompute(**kwargs)
        # Somebody edits while we compute: the mark's timestamp moves on.
        IndicatorDirty.objects.filter(organisation=org).update(
            marked_at=d("2030-01-01").isoformat() + "T00:00:00Z")
        return result

    with mock.patch.object(services, "indicators_recompute", side_effect=recompute_and_edit):
        services.indicators_drain_dirty()
    assert snap(org).points == 2
    assert IndicatorDirty.objects.filter(organisation=org).exists()
    services.indicators_drain_dirty()
    assert not IndicatorDirty.objects.filter(organisation=org).exists()


def test_a_mark_for_a_frozen_period_is_cleared_by_the_drain_without_a_recompute(
        two_orgs, org_admin):
    """The spine does not know which periods are frozen (the engine above it does): it marks
    a back-dated change's period anyway, and the drain clears that mark, leaving the final
    snapshot as it was."""
    a, _b = two_orgs
    services.indicators_recompute(year=2024)
    services.indicators_freeze(actor=org_admin, year=2024)
    final = {s.pk: (s.points, s.computed_at) for s in IndicatorSnapshot.objects.filter(year=2024)}
    IndicatorDirty.objects.all().delete()
    make_initiative(a, [("spread", "2024-06-01")])
    assert IndicatorDirty.objects.filter(organisation=a, year=2024, quarter=0).exists()
    services.indicators_drain_dirty()
    assert not IndicatorDirty.objects.filter(year=2024).exists()
    assert {s.pk: (s.points, s.computed_at)
            for s in IndicatorSnapshot.objects.filter(year=2024)} == final
    assert set(IndicatorSnapshot.objects.filter(year=2024).values_list("status", flat=True)) == {
        "final"}


def test_job_reports_progress_and_success(two_orgs, org_admin, home_org):
    job = services.indicator_job_create(actor=org_admin, year=2024, organisation=home_org)
    job = services.indicator_job_run(str(job.pk))
    assert job.state == JobState.SUCCEEDED and job.progress == 100
    assert IndicatorSnapshot.objects.filter(organisation=home_org, year=2024).exists()


def test_job_for_a_frozen_period_is_refused(two_orgs, org_admin, home_org):
    services.indicators_recompute(year=2024)
    services.indicators_freeze(actor=org_admin, year=2024)
    with pytest.raises(ConflictError):
        services.indicator_job_create(actor=org_admin, year=2024, organisation=home_org)
    assert not IndicatorJob.objects.exists()
