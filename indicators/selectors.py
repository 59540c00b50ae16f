"""Reads of the indicators: scoped to what the user's role covers, shaped as the API of
docs/domain.md "Indicator API"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import (
    YEAR,
    IndicatorJob,
    IndicatorPeriod,
    IndicatorSnapshot,
    PeriodStatus,
    PointScheme,
    period_bounds,
)
from initiatives.models import COUNTED_PHASES
from portal.access import organisations_where
from portal.attributes import COUNTY, SIZE_CLASS, annotate_attributes, attributes_on
from portal.models import COUNTY_NUMBERS, Network, Organisation, User
from portal.personal_data import Section, col, section
from portal.roles import Capability

GROUPINGS = ("county", "size_class", "network", "national")
NUMBER_FIELDS = [
    *(f"count_{p}" for p in COUNTED_PHASES), "stock_points", "forward_transitions",
    "adoption_points", "points", "benefit_points", "benefit_user", "benefit_economic",
    "benefit_organisational", "realised_nok_per_year",
]


@dataclass(frozen=True)
class SchemeChangeReach:
    """What a new point scheme version valid from a date reaches: the computed periods that
    end on or after that date, split by the freeze rule (a final period never changes)."""

    marks: tuple[tuple[int, int, int], ...]  # (organisation id, year, quarter) to recompute
    recomputed_years: tuple[int, ...]
    frozen_years: tuple[int, ...]


def scheme_change_reach(valid_from: datetime.date) -> SchemeChangeReach:
    """The snapshots a scheme version valid from `valid_from` would change on their next
    recompute: every computed period ending on or after the date, unless it is frozen
    (IndicatorPeriod status final). The current periods the nightly job computes are among
    them once computed; periods not yet computed take the new version when they are."""
    computed = set(IndicatorSnapshot.objects.filter(period_end__gte=valid_from)
                   .values_list("organisation_id", "year", "quarter"))
    final = set(IndicatorPeriod.objects.filter(status=PeriodStatus.FINAL)
                .values_list("year", "quarter"))
    marks = tuple(sorted(m for m in computed if (m[1], m[2]) not in final))
    frozen = {year for _org, year, quarter in computed if (year, quarter) in final}
    return SchemeChangeReach(marks=marks,
                             recomputed_years=tuple(sorted({m[1] for m in marks})),
                             frozen_years=tuple(sorted(frozen)))


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations whose indicators the user may read — the one rule of the indicator
    pages, the portfolio report and the indicator API (indicators.access asks here): own
    organisations where the user may read dashboards (coordinators, managers, admins), a
    network analyst's networks, everything for a national analyst. Employees and project
    leaders read no snapshots: the pages refuse them, so the API does too."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_national_analyst or user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(pk__in=organisations_where(user, Capability.VIEW_DASHBOARDS).values("pk"))
        | Q(pk__in=Network.organisations.through.objects.filter(network__analysts=user)
            .values("organisation_id")))


def snapshot_list(*, user: User, year: int, quarter: int = YEAR,
                  organisation: str | None = None, county: str | None = None,
                  size_class: str | None = None) -> QuerySet[IndicatorSnapshot]:
    """The period's snapshots, each with the organisation's attributes in force on the
    period's end (period_county, period_population, period_size_class)."""
    snapshots = (IndicatorSnapshot.objects
                 .filter(year=year, quarter=quarter,
                         organisation__in=visible_organisations(user).values("pk"))
                 .select_related("organisation", "scheme")
                 .order_by("organisation__org_number"))
    snapshots = annotate_attributes(snapshots, "period_end", organisation="organisation")
    if organisation:
        snapshots = snapshots.filter(organisation__org_number=organisation)
    if county:
        snapshots = snapshots.filter(**{COUNTY: county})
    if size_class:
        snapshots = snapshots.filter(**{SIZE_CLASS: size_class})
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
        "phase_counts": {str(p): int(get(f"count_{p}") or 0) for p in COUNTED_PHASES},
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
    """One item of GET /api/v1/indicators/ exactly as docs/domain.md shows it."""
    return organisation_item(snapshot.organisation, snapshot, snapshot.year, snapshot.quarter,
                             attributes=snapshot)


def _organisation_dict(org: Organisation, attributes=None) -> dict:
    """The organisation as the API shows it, with the county and size class of the period:
    those annotated by portal.attributes on `attributes` (the organisation itself by
    default), the current values where nothing is annotated."""
    attributes = attributes if attributes is not None else org
    county = getattr(attributes, COUNTY, org.county)
    return {"org_number": org.org_number, "name": org.name,
            "size_class": getattr(attributes, SIZE_CLASS, org.size_class),
            "county": county, "county_number": org.county_number or COUNTY_NUMBERS.get(county, ""),
            "municipality_number": org.municipality_number}


def organisation_item(org: Organisation, snapshot: IndicatorSnapshot | None, year: int,
                      quarter: int, *, attributes=None) -> dict:
    """An organisation's item for a period. Without a snapshot (nothing computed for the
    period yet) the numbers are zeros and `computed` is false, so a client never takes
    "not computed" for "zero" (issue 15)."""
    if snapshot is None:
        return {"organisation": _organisation_dict(org, attributes),
                "period": _period_dict(year, quarter),
                "computed": False, "scheme": None, "status": None, "computed_at": None,
                "activity": _activity({}), "benefit": _benefit({})}
    return {
        "organisation": _organisation_dict(org, attributes),
        "period": {"start": snapshot.period_start.isoformat(),
                   "end": snapshot.period_end.isoformat()},
        "computed": True,
        "scheme": snapshot.scheme.label,
        "status": snapshot.status,
        "computed_at": snapshot.computed_at.isoformat(),
        "activity": _activity(snapshot),
        "benefit": _benefit(snapshot),
    }


def indicator_organisations(*, user: User, year: int | None = None, quarter: int = YEAR,
                            organisation: str | None = None, county: str | None = None,
                            size_class: str | None = None) -> QuerySet[Organisation]:
    """Every organisation the user may see indicators of (computed or not), by number, with
    the county, population and size class in force on the period's end (today without a
    period); `county` and `size_class` select by those."""
    on = period_bounds(year, quarter)[1] if year else timezone.localdate()
    organisations = attributes_on(visible_organisations(user), on).order_by("org_number")
    if organisation:
        organisations = organisations.filter(org_number=organisation)
    if county:
        organisations = organisations.filter(**{COUNTY: county})
    if size_class:
        organisations = organisations.filter(**{SIZE_CLASS: size_class})
    return organisations


def indicator_items(organisations, *, year: int, quarter: int = YEAR) -> list[dict]:
    """The items of these organisations for a period: one query for their snapshots."""
    organisations = list(organisations)
    snapshots = {s.organisation_id: s for s in IndicatorSnapshot.objects.filter(
        year=year, quarter=quarter, organisation__in=[o.pk for o in organisations],
    ).select_related("scheme")}
    return [organisation_item(o, snapshots.get(o.pk), year, quarter) for o in organisations]


CSV_COLUMNS = [
    "org_number", "name", "size_class", "county", "period_start", "period_end", "scheme",
    "status", "computed_at", *COUNTED_PHASES, "stock_points", "forward_transitions",
    "adoption_points", "points", "benefit_points", "benefit_user", "benefit_economic",
    "benefit_organisational", "realised_nok_per_year", "county_number", "municipality_number",
    "computed",
]


def item_to_csv_row(item: dict) -> list:
    """Flatten an API item; the CSV and the JSON carry the same numbers. New columns go at
    the end, so a reader that takes columns by position keeps working."""
    activity, benefit = item["activity"], item["benefit"]
    organisation = item["organisation"]
    return [
        organisation["org_number"], organisation["name"],
        organisation["size_class"], organisation["county"],
        item["period"]["start"], item["period"]["end"], item["scheme"] or "",
        item["status"] or "", item["computed_at"] or "",
        *(activity["phase_counts"][p] for p in COUNTED_PHASES),
        activity["stock_points"], activity["forward_transitions"], activity["adoption_points"],
        activity["points"], benefit["points"], benefit["by_dimension"]["user"],
        benefit["by_dimension"]["economic"], benefit["by_dimension"]["organisational"],
        # A number in files (the JSON's decimal string would be text, and a negative one
        # neutralised as if it were a formula).
        Decimal(benefit["realised_nok_per_year"]), organisation.get("county_number", ""),
        organisation.get("municipality_number", ""),
        "true" if item.get("computed", True) else "false",
    ]


def summary(*, user: User, year: int, quarter: int = YEAR, group_by: str,
            county: str | None = None, size_class: str | None = None) -> list[dict]:
    """Sums of organisation snapshots per county, size class, network or the nation, of the
    organisations in `county` and `size_class` when given. Every visible organisation
    counts in its group (`organisations`), computed or not (`computed_organisations`)."""
    organisations = indicator_organisations(user=user, year=year, quarter=quarter,
                                            county=county, size_class=size_class)
    organisations = organisations.order_by().annotate(period_snapshot=FilteredRelation(
        "indicator_snapshots", condition=Q(indicator_snapshots__year=year,
                                           indicator_snapshots__quarter=quarter)))
    sums = {name: Sum(f"period_snapshot__{name}") for name in NUMBER_FIELDS}
    counts = {"organisations": Count("pk", distinct=True),
              "computed_organisations": Count("period_snapshot__pk", distinct=True)}
    if group_by == "national":
        rows = [{"group": "national", **organisations.aggregate(**counts, **sums)}]
    elif group_by == "network":
        rows = list(organisations.filter(networks__isnull=False)
                    .values(group=F("networks__name"))
                    .annotate(**counts, **sums).order_by("group"))
    else:
        # By the county or size class in force on the period's end.
        rows = list(organisations.values(group=F(f"period_{group_by}"))
                    .annotate(**counts, **sums).order_by("group"))
    return [{"group": row["group"],
             "code": COUNTY_NUMBERS.get(row["group"]) if group_by == "county" else None,
             "organisations": row["organisations"] or 0,
             "computed_organisations": row["computed_organisations"] or 0,
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
