"""Reads of the indicators: scoped to what the user's role covers, shaped as DOMAIN.md's API."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import (
    YEAR,
    IndicatorJob,
    IndicatorPeriod,
    IndicatorSnapshot,
    PointScheme,
    period_bounds,
)
from initiatives.models import COUNTED_PHASES
from portal.access import organisations_where
from portal.models import Network, Organisation, User
from portal.personal_data import Section, col, section

GROUPINGS = ("county", "size_class", "network", "national")
NUMBER_FIELDS = [
    *(f"count_{p}" for p in COUNTED_PHASES), "stock_points", "forward_transitions",
    "adoption_points", "points", "benefit_points", "benefit_user", "benefit_economic",
    "benefit_organisational", "realised_nok_per_year",
]


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Own organisations; a network analyst's networks; everything for a national analyst."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_national_analyst or user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(pk__in=organisations_where(user).values("pk"))
        | Q(pk__in=Network.organisations.through.objects.filter(network__analysts=user)
            .values("organisation_id")))


def snapshot_list(*, user: User, year: int, quarter: int = YEAR,
                  organisation: str | None = None, county: str | None = None,
                  size_class: str | None = None) -> QuerySet[IndicatorSnapshot]:
    snapshots = (IndicatorSnapshot.objects
                 .filter(year=year, quarter=quarter,
                         organisation__in=visible_organisations(user).values("pk"))
                 .select_related("organisation", "scheme")
                 .order_by("organisation__org_number"))
    if organisation:
        snapshots = snapshots.filter(organisation__org_number=organisation)
    if county:
        snapshots = snapshots.filter(organisation__county=county)
    if size_class:
        snapshots = snapshots.filter(organisation__size_class=size_class)
    return snapshots


def _number(value) -> int | float:
    """Whole numbers as integers (points are whole under standard-1), others as floats."""
    if value is None:
        return 0
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _nok(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _activity(row) -> dict:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {
        "phase_counts": {p: int(get(f"count_{p}") or 0) for p in COUNTED_PHASES},
        "stock_points": _number(get("stock_points")),
        "forward_transitions": int(get("forward_transitions") or 0),
        "adoption_points": _number(get("adoption_points")),
        "points": _number(get("points")),
    }


def _benefit(row) -> dict:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {
        "points": float(get("benefit_points") or 0),
        "by_dimension": {"user": float(get("benefit_user") or 0),
                         "economic": float(get("benefit_economic") or 0),
                         "organisational": float(get("benefit_organisational") or 0)},
        # Money is a decimal string across the API, as in benefits.
        "realised_nok_per_year": _nok(get("realised_nok_per_year")),
    }


def snapshot_item(snapshot: IndicatorSnapshot) -> dict:
    """One item of GET /api/v1/indicators/ exactly as DOMAIN.md shows it."""
    org = snapshot.organisation
    return {
        "organisation": {"org_number": org.org_number, "name": org.name,
                         "size_class": org.size_class, "county": org.county},
        "period": {"start": snapshot.period_start.isoformat(),
                   "end": snapshot.period_end.isoformat()},
        "scheme": snapshot.scheme.label,
        "status": snapshot.status,
        "computed_at": snapshot.computed_at.isoformat(),
        "activity": _activity(snapshot),
        "benefit": _benefit(snapshot),
    }


CSV_COLUMNS = [
    "org_number", "name", "size_class", "county", "period_start", "period_end", "scheme",
    "status", "computed_at", *COUNTED_PHASES, "stock_points", "forward_transitions",
    "adoption_points", "points", "benefit_points", "benefit_user", "benefit_economic",
    "benefit_organisational", "realised_nok_per_year",
]


def item_to_csv_row(item: dict) -> list:
    """Flatten an API item; the CSV and the JSON carry the same numbers."""
    activity, benefit = item["activity"], item["benefit"]
    return [
        item["organisation"]["org_number"], item["organisation"]["name"],
        item["organisation"]["size_class"], item["organisation"]["county"],
        item["period"]["start"], item["period"]["end"], item["scheme"], item["status"],
        item["computed_at"], *(activity["phase_counts"][p] for p in COUNTED_PHASES),
        activity["stock_points"], activity["forward_transitions"], activity["adoption_points"],
        activity["points"], benefit["points"], benefit["by_dimension"]["user"],
        benefit["by_dimension"]["economic"], benefit["by_dimension"]["organisational"],
        benefit["realised_nok_per_year"],
    ]


def summary(*, user: User, year: int, quarter: int = YEAR, group_by: str,
            county: str | None = None, size_class: str | None = None) -> list[dict]:
    """Sums of organisation snapshots per county, size class, network or the nation, of the
    organisations in `county` and `size_class` when given."""
    snapshots = snapshot_list(user=user, year=year, quarter=quarter, county=county,
                              size_class=size_class)
    sums = {name: Sum(name) for name in NUMBER_FIELDS}
    if group_by == "national":
        rows = [{"group": "national", **snapshots.aggregate(organisations=Count("pk"), **sums)}]
    elif group_by == "network":
        rows = list(snapshots.filter(organisation__networks__isnull=False)
                    .values(group=F("organisation__networks__name"))
                    .annotate(organisations=Count("pk"), **sums).order_by("group"))
    else:
        rows = list(snapshots.values(group=F(f"organisation__{group_by}"))
                    .annotate(organisations=Count("pk"), **sums).order_by("group"))
    return [{"group": row["group"], "organisations": row["organisations"] or 0,
             "period": _period_dict(year, quarter),
             "activity": _activity(row), "benefit": _benefit(row)} for row in rows]


def _period_dict(year: int, quarter: int) -> dict:
    start, end = period_bounds(year, quarter)
    return {"start": start.isoformat(), "end": end.isoformat()}



def personal_data(user: User) -> list[Section]:
    """The user's own rows of the indicator engine, for "Mine data" (overview)."""
    what = {PointScheme: _("poengskjema"), IndicatorPeriod: _("låst periode"),
            IndicatorJob: _("beregning")}
    return [
        section("indicator_work", gettext_lazy("Indikatorarbeid du har startet eller låst"),
                [*PointScheme.objects.filter(created_by=user),
                 *IndicatorPeriod.objects.filter(frozen_by=user),
                 *IndicatorJob.objects.filter(requested_by=user)], [
                    col("what", _("Hva"), lambda o: what[type(o)]),
                    col("detail", _("Detaljer"), lambda o: str(o) if isinstance(o, PointScheme)
                        else f"{o.year}" + (f" K{o.quarter}" if o.quarter else "")),
                    col("at", _("Tidspunkt"), lambda o: getattr(o, "frozen_at", None)
                        or getattr(o, "created_at", None)),
                ], covers=("indicators.PointScheme.created_by",
                           "indicators.IndicatorPeriod.frozen_by",
                           "indicators.IndicatorJob.requested_by")),
    ]
