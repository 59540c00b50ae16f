"""Writes of the indicator engine: recompute, freeze, jobs and the dirty-mark outbox."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from decimal import Context, Decimal, localcontext

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.compute import (
    COUNTED_PHASES,
    NOK_PRECISION,
    OrganisationIndicators,
    compute,
)
from indicators.models import (
    YEAR,
    IndicatorJob,
    IndicatorPeriod,
    IndicatorSnapshot,
    JobState,
    PeriodStatus,
    PointScheme,
    period_bounds,
)
from initiatives.marks import indicators_mark
from initiatives.models import IndicatorDirty
from portal.bulk import upsert_rows
from portal.dates import PLANNED, date_check, short_date
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import Organisation

log = logging.getLogger(__name__)

SNAPSHOT_VALUES = [
    *(f"count_{p}" for p in COUNTED_PHASES), "stock_points", "forward_transitions",
    "adoption_points", "points", "benefit_user", "benefit_economic", "benefit_organisational",
    "benefit_points", "realised_nok_per_year",
]
# How long a burst of edits is collected before one recompute runs.
DEBOUNCE_SECONDS = 10


def scheme_for(period_end: datetime.date) -> PointScheme:
    scheme = (PointScheme.objects.filter(valid_from__lte=period_end)
              .order_by("-valid_from", "-version").first())
    if scheme is None:
        raise DomainError(_("Ingen poengmodell gjelder for perioden."), code="no_scheme")
    return scheme


def _period_is_final(year: int, quarter: int) -> bool:
    return IndicatorPeriod.objects.filter(year=year, quarter=quarter,
                                          status=PeriodStatus.FINAL).exists()


def _validate_period(year: int, quarter: int) -> None:
    if not 2000 <= year <= 2100:
        raise DomainError(_("Ugyldig år."), field="year")
    if quarter not in (0, 1, 2, 3, 4):
        raise DomainError(_("Kvartal må være 1–4."), field="quarter")


def _round(value: float, places: str) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(places))


def _snapshot_row(values: OrganisationIndicators) -> tuple:
    """The computed columns of a snapshot (SNAPSHOT_VALUES order)."""
    counts = values.phase_counts
    with localcontext(Context(prec=NOK_PRECISION)):  # quantize a 40-digit NOK sum exactly
        nok = values.realised_nok_per_year.quantize(Decimal("0.01"))
    return (
        *(counts[p] for p in COUNTED_PHASES),
        _round(values.stock_points, "0.01"), values.forward_transitions,
        _round(values.adoption_points, "0.01"), _round(values.points, "0.01"),
        _round(values.benefit_by_dimension["user"], "0.0001"),
        _round(values.benefit_by_dimension["economic"], "0.0001"),
        _round(values.benefit_by_dimension["organisational"], "0.0001"),
        _round(values.benefit_points, "0.0001"),
        nok,
    )


def indicators_recompute(*, year: int, quarter: int = YEAR,
                         organisation_ids: list[int] | None = None,
                         progress: Callable[[int, str], None] | None = None) -> int:
    """Compute and store the snapshots of one period, for all organisations or a few.

    The reads run first; the writes then go in ONE transaction that holds the period's lock, so
    a reader always sees the previous complete set or the new one, a recompute killed mid-way
    leaves the previous snapshots untouched, and two concurrent recomputes (which compute the
    same numbers) simply upsert one after the other. Returns the number of snapshots written."""
    _validate_period(year, quarter)
    if _period_is_final(year, quarter):
        raise ConflictError(_("Perioden %(period)s er frosset; endelige tall kan ikke beregnes "
                              "på nytt.") % {"period": _period_label(year, quarter)},
                            code="frozen")
    start, end = period_bounds(year, quarter)
    scheme = scheme_for(end)
    report = progress or (lambda percent, message: None)
    report(5, _("Beregner"))
    results = compute(period_start=start, period_end=end, scheme=scheme.values(),
                      organisation_ids=organisation_ids,
                      progress=lambda p: report(5 + int(p * 0.8), _("Beregner")))
    targets = (organisation_ids if organisation_ids is not None
               else list(Organisation.objects.values_list("pk", flat=True)))
    now = timezone.now()
    empty_row = _snapshot_row(OrganisationIndicators())
    rows = [(org_id, *(_snapshot_row(results[org_id]) if org_id in results else empty_row))
            for org_id in targets]
    fixed = {"year": year, "quarter": quarter, "period_start": start, "period_end": end,
             "scheme_id": scheme.pk, "status": PeriodStatus.PRELIMINARY, "computed_at": now}
    report(90, _("Lagrer"))
    with transaction.atomic():
        period, _created = IndicatorPeriod.objects.get_or_create(year=year, quarter=quarter)
        period = IndicatorPeriod.objects.select_for_update().get(pk=period.pk)
        if period.status == PeriodStatus.FINAL:  # frozen while we computed
            raise ConflictError(_("Perioden ble frosset under beregningen."), code="frozen")
        upsert_rows(IndicatorSnapshot, ["organisation_id", *SNAPSHOT_VALUES], rows,
                    unique=["organisation_id", "year", "quarter"], constants=fixed)
    report(100, _("Ferdig"))
    return len(rows)


def _period_label(year: int, quarter: int) -> str:
    return f"{year}" if quarter == YEAR else f"{year} K{quarter}"


def indicators_freeze(*, actor, year: int) -> int:
    """Make the year's snapshots (year and quarters) final. Final snapshots never change."""
    _validate_period(year, YEAR)
    with transaction.atomic():
        for quarter in range(0, 5):
            IndicatorPeriod.objects.get_or_create(year=year, quarter=quarter)
        periods = list(IndicatorPeriod.objects.select_for_update().filter(year=year))
        if not IndicatorSnapshot.objects.filter(year=year, quarter=YEAR).exists():
            raise DomainError(_("Det finnes ingen beregnede tall for %(year)s å fryse.")
                              % {"year": year}, code="nothing_to_freeze")
        now = timezone.now()
        for period in periods:
            if period.status != PeriodStatus.FINAL:
                period.status, period.frozen_at, period.frozen_by = PeriodStatus.FINAL, now, actor
                period.save(update_fields=["status", "frozen_at", "frozen_by"])
        return IndicatorSnapshot.objects.filter(year=year).update(status=PeriodStatus.FINAL)


# --- after a change: the dirty marks (written by the spine, initiatives.marks) ---------------

# A failed mark waits 1, 2, 4 … minutes (at most an hour) before the drain tries it again.
MARK_RETRY_BASE_SECONDS = 60
MARK_RETRY_MAX_SECONDS = 3600


def _mark_retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(MARK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                          MARK_RETRY_MAX_SECONDS))


def _recompute_alone(year: int, quarter: int, org_ids: list[int]) -> int:
    """One recompute in its own savepoint, so a database error in it (say a numeric
    overflow) rolls back only this attempt and leaves the caller's connection usable."""
    with transaction.atomic():
        return indicators_recompute(year=year, quarter=quarter, organisation_ids=org_ids)


def _marks_clear(marks: list[dict]) -> None:
    """Delete exactly the marks that were read (compare-and-swap on marked_at): a mark made
    during the recompute survives — and, since this recompute worked, without its old error."""
    if not marks:
        return
    stale = Q()
    for mark in marks:
        stale |= Q(pk=mark["pk"], marked_at=mark["marked_at"])
    IndicatorDirty.objects.filter(stale).delete()
    IndicatorDirty.objects.filter(pk__in=[m["pk"] for m in marks], attempts__gt=0).update(
        attempts=0, last_error="", failed_at=None, retry_at=None)


def _mark_failed(mark: dict, error: BaseException) -> None:
    now = timezone.now()
    attempts = mark["attempts"] + 1
    log.warning("Indicator recompute failed for organisation %s, period %s (attempt %s); "
                "the mark is kept and retried", mark["organisation_id"],
                _period_label(mark["year"], mark["quarter"]), attempts, exc_info=error)
    IndicatorDirty.objects.filter(pk=mark["pk"]).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000],
        failed_at=now, retry_at=now + _mark_retry_delay(attempts))


def indicators_drain_dirty() -> int:
    """Recompute every marked organisation and period that is due, then clear exactly the
    marks that were read (compare-and-swap on marked_at), so a mark made during the recompute
    survives. Marks of a frozen period are cleared without a recompute. The engine's consumer
    of the marks (registered in the app config; woken by initiatives.marks after the writer's
    commit, debounced by DEBOUNCE_SECONDS with Redis).

    Each mark is isolated: when a period's recompute fails, its organisations are recomputed
    one by one, and a mark that still fails keeps its error (attempts, last_error, failed_at)
    and waits until retry_at — it never raises into the writer's request (whose change has
    committed) and never holds back the other marks. Returns the snapshots written."""
    now = timezone.now()
    marks = list(IndicatorDirty.objects.filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
                 .values("pk", "organisation_id", "year", "quarter", "marked_at", "attempts"))
    by_period: dict[tuple[int, int], list[dict]] = {}
    for mark in marks:
        by_period.setdefault((mark["year"], mark["quarter"]), []).append(mark)
    done = 0
    for (year, quarter), period_marks in sorted(by_period.items()):
        org_ids = sorted({m["organisation_id"] for m in period_marks})
        try:
            done += _recompute_alone(year, quarter, org_ids)
        except ConflictError:
            pass  # frozen meanwhile: nothing to do for this period
        except Exception as error:  # noqa: BLE001 - find the marks that fail, one by one
            if len(period_marks) == 1:
                _mark_failed(period_marks[0], error)
                continue
            succeeded = []
            for mark in period_marks:
                try:
                    done += _recompute_alone(year, quarter, [mark["organisation_id"]])
                except ConflictError:
                    pass
                except Exception as error:  # noqa: BLE001 - kept with its error, retried
                    _mark_failed(mark, error)
                    continue
                succeeded.append(mark)
            _marks_clear(succeeded)
            continue
        _marks_clear(period_marks)
    return done


# --- on-demand jobs ----------------------------------------------------------------------------

def indicator_job_create(*, actor, year: int, quarter: int = YEAR,
                         organisation: Organisation | None = None) -> IndicatorJob:
    from indicators.access import can_start_job

    if not can_start_job(actor, organisation):
        raise Forbidden(_("Du kan ikke starte denne beregningen."))
    _validate_period(year, quarter)
    if _period_is_final(year, quarter):
        raise ConflictError(_("Perioden %(period)s er frosset.")
                            % {"period": _period_label(year, quarter)}, code="frozen")
    job = IndicatorJob.objects.create(year=year, quarter=quarter, organisation=organisation,
                                      requested_by=actor)
    from indicators.tasks import run_indicator_job

    # Through the outbox: with Redis down the job stays queued and runs once Redis is back.
    run_indicator_job.delay_on_commit(str(job.pk))
    return job


def _stale_before() -> datetime.datetime:
    from django.conf import settings

    return timezone.now() - datetime.timedelta(seconds=settings.INDICATOR_JOB_STALE_SECONDS)


def indicator_job_run(job_id: str) -> IndicatorJob:
    """Run a job. Claimed with a compare-and-swap: a queued job, or a running one whose
    heartbeat stopped (its worker was killed and the message redelivered). A job that is
    running elsewhere, finished, or expired as interrupted is left alone."""
    job = IndicatorJob.objects.get(pk=job_id)
    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING,
                                             heartbeat_at__lt=_stale_before())
    claimed = IndicatorJob.objects.filter(claimable, pk=job.pk).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, progress=0)
    if not claimed:
        job.refresh_from_db()
        return job

    def progress(percent: int, message: str) -> None:
        IndicatorJob.objects.filter(pk=job.pk).update(progress=min(percent, 99), message=message,
                                                      heartbeat_at=timezone.now())

    try:
        org_ids = [job.organisation_id] if job.organisation_id else None
        count = indicators_recompute(year=job.year, quarter=job.quarter,
                                     organisation_ids=org_ids, progress=progress)
    except DomainError as error:
        IndicatorJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, message=error.message, finished_at=timezone.now())
    except Exception as error:  # noqa: BLE001 - a failed job says so instead of "running"
        log.exception("Indicator job %s failed", job.pk)
        IndicatorJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, message=f"{type(error).__name__}: {error}"[:500],
            finished_at=timezone.now())
    else:
        IndicatorJob.objects.filter(pk=job.pk).update(
            state=JobState.SUCCEEDED, progress=100, finished_at=timezone.now(),
            message=ngettext("%(count)s organisasjon beregnet.",
                             "%(count)s organisasjoner beregnet.", count) % {"count": count})
    job.refresh_from_db()
    return job


def indicator_jobs_expire() -> int:
    """Mark running jobs without a heartbeat for INDICATOR_JOB_STALE_SECONDS as failed
    (interrupted), so a killed worker does not leave a job "running" forever. The snapshots are
    untouched: a recompute writes them in one transaction, so the previous complete set stays.
    Returns the number of jobs expired."""
    stale = IndicatorJob.objects.filter(state=JobState.RUNNING,
                                        heartbeat_at__lt=_stale_before())
    if not stale.exists():  # an UPDATE of no rows would still make a new data version
        return 0
    return stale.update(
        state=JobState.FAILED, finished_at=timezone.now(),
        message=_("Avbrutt: beregningen stoppet uten å fullføre. De forrige tallene gjelder; "
                  "start en ny beregning."))


def recompute_current_periods() -> int:
    """The nightly job: the current year and quarter for every organisation."""
    today = timezone.localdate()
    total = 0
    for quarter in (YEAR, (today.month - 1) // 3 + 1):
        if not _period_is_final(today.year, quarter):
            total += indicators_recompute(year=today.year, quarter=quarter)
    return total


def point_scheme_check(*, name: str, valid_from: datetime.date) -> PointScheme | None:
    """Whether a new version of scheme `name` may start on `valid_from` (the date policy, and
    not before the version it follows); the version it follows, if any. Asked before the
    confirmation page too, so the editor learns of a bad date before confirming."""
    date_check(valid_from, field="valid_from", kind=PLANNED)  # the date policy (portal.dates)
    last = PointScheme.objects.filter(name=name).order_by("-version").first()
    if last is not None and valid_from < last.valid_from:
        raise DomainError(_("Ny versjon kan ikke gjelde fra før forrige versjon (%(date)s).")
                          % {"date": short_date(last.valid_from)},
                          field="valid_from")
    return last


def point_scheme_create(*, actor, name: str, valid_from, phase_points: dict,
                        adoption_points, adoption_min_phase: str, benefit_weights: dict,
                        expected_discount, description: str = "") -> PointScheme:
    """A new version of a scheme. Earlier versions stay, so snapshots keep the version they
    were computed with. The computed periods ending on or after valid_from are marked for a
    recompute in the same transaction (the dirty marks every other change uses), so they take
    the new version; frozen periods never change (their marks are cleared unrecomputed)."""
    from indicators.access import can_change_scheme
    from indicators.selectors import scheme_change_reach

    if not can_change_scheme(actor):
        raise Forbidden(_("Bare driftsadministratorer kan endre poengmodellen."))
    with transaction.atomic():
        # Locked, so two new versions of one scheme cannot take the same number.
        list(PointScheme.objects.select_for_update().filter(name=name).values_list("pk"))
        last = point_scheme_check(name=name, valid_from=valid_from)
        points = {**phase_points, "parked": 0, "stopped": 0, "rejected": 0, "merged": 0,
                  "draft": 0}
        scheme = PointScheme.objects.create(
            name=name, version=(last.version + 1) if last else 1, valid_from=valid_from,
            phase_points=points, adoption_points=adoption_points,
            adoption_min_phase=adoption_min_phase, benefit_weights=benefit_weights,
            expected_discount=expected_discount, description=description, created_by=actor)
        indicators_mark(scheme_change_reach(valid_from).marks)
    return scheme
