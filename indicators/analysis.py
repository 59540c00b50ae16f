"""The analysts' view of a network or of the nation (issue 7): organisations ranked on one
indicator, its distribution with quartiles per size class and per county, and the trend of
median and quartiles over the last years or quarters.

Everything is read from the snapshots with one query, whatever the number of organisations:
the rows of the selected organisations for the trend window (at most ~400 municipalities ×
8 periods), which also holds the current period and the one a year earlier. Medians and
quartiles are then computed in Python with the inclusive method of comparison.py, so the
numbers can be checked by hand and agree with the organisation's own comparison."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from indicators.comparison import MEASURES, quartiles
from indicators.models import YEAR, IndicatorSnapshot
from indicators.selectors import visible_organisations
from portal.attributes import COUNTY, POPULATION, SIZE_CLASS, annotate_attributes
from portal.context_processors import user_context
from portal.models import County, Network, OrganisationKind, SizeClass, User
from portal.numbers import number_text

# How far back the trend goes: five years, or eight quarters (two years, so seasonal
# patterns show), both ending with the selected period.
TREND_YEARS = 5
TREND_QUARTERS = 8
TREND_GROUPINGS = ("size_class", "county")
SORTS = ("rank", "name", "county", "size_class", "change")
PAGE_SIZE = 50
HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class Filters:
    year: int
    quarter: int = YEAR
    measure: str = "points"
    kind: str = OrganisationKind.MUNICIPALITY
    county: str = ""
    size_class: str = ""
    network: Network | None = None
    per_capita: bool = False
    trend_by: str = "size_class"
    sort: str = "rank"


@dataclass
class RankedRow:
    organisation_id: int
    org_number: str
    name: str
    county: str
    size_class: str
    population: int | None
    value: float
    previous: float | None = None
    rank: int = 0

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def county_label(self) -> str:
        return County(self.county).label if self.county else ""

    @property
    def size_class_label(self) -> str:
        return SizeClass(self.size_class).label if self.size_class else ""


@dataclass(frozen=True)
class Distribution:
    label: str
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    # docs/domain.md's aggregate of a county, size class, network or the nation is the sum of the
    # organisations' snapshots (meaningless per inhabitant, where it is not shown).
    total: float = 0.0


@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # exclusive
    count: int

    @property
    def label(self) -> str:
        return f"{_fmt(self.low)}–{_fmt(self.high)}"


@dataclass
class TrendSeries:
    label: str
    points: list[Distribution | None]  # one per period; None where no organisation has data


@dataclass
class Analysis:
    filters: Filters
    ranking: list[RankedRow]
    histogram: list[Bin]
    overall: Distribution | None
    by_size_class: list[Distribution]
    by_county: list[Distribution]
    period_labels: list[str]
    trends: list[TrendSeries]
    without_population: int = 0  # left out of a per-inhabitant view
    previous_label: str = ""


def latest_year() -> int | None:
    """The latest year with yearly snapshots: the page's default period."""
    return IndicatorSnapshot.objects.filter(quarter=YEAR).aggregate(year=Max("year"))["year"]


def is_analyst(user: User) -> bool:
    """National and network analysts, and the operators. Asked through the navigation's
    per-request context, so the page and its menu share one lookup."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user_context(user)["is_analyst"]


def networks_for(user: User) -> QuerySet[Network]:
    """The networks an analyst can narrow the view to: all for national analysts."""
    if user.is_national_analyst or user.is_superuser:
        return Network.objects.order_by("name")
    return user.analysed_networks.order_by("name")


def trend_periods(year: int, quarter: int) -> list[tuple[int, int]]:
    """The trend window, oldest first, ending with the selected period."""
    if quarter == YEAR:
        return [(y, YEAR) for y in range(year - TREND_YEARS + 1, year + 1)]
    index = year * 4 + quarter - 1
    return [(i // 4, i % 4 + 1) for i in range(index - TREND_QUARTERS + 1, index + 1)]


def period_label(year: int, quarter: int) -> str:
    if quarter == YEAR:
        return str(year)
    return _("%(year)s K%(quarter)s") % {"year": year, "quarter": quarter}


def _fmt(value: float) -> str:
    """A bin edge as the page writes numbers (1 234,5 in Norwegian, 1,234.5 in English)."""
    return number_text(value, 6)


def _snapshot_rows(user: User, filters: Filters, periods: list[tuple[int, int]]):
    """The one query: the selected organisations' snapshots in the trend window."""
    snapshots = IndicatorSnapshot.objects.filter(organisation__kind=filters.kind)
    if not (user.is_national_analyst or user.is_superuser):
        snapshots = snapshots.filter(organisation__in=visible_organisations(user).values("pk"))
    # Exactly the window's periods: each an equality pair on the (year, quarter, organisation)
    # index.
    window = Q()
    for year, quarter in periods:
        window |= Q(year=year, quarter=quarter)
    snapshots = snapshots.filter(window)
    # Each snapshot with the county, size class and population in force on its period's end
    # (portal.attributes): 2023's comparison and per-inhabitant figures use 2023's values.
    snapshots = annotate_attributes(snapshots, "period_end", organisation="organisation")
    if filters.county:
        snapshots = snapshots.filter(**{COUNTY: filters.county})
    if filters.size_class:
        snapshots = snapshots.filter(**{SIZE_CLASS: filters.size_class})
    if filters.network is not None:
        snapshots = snapshots.filter(organisation__networks=filters.network)
    return snapshots.values_list(
        "organisation_id", "organisation__org_number", "organisation__name",
        COUNTY, SIZE_CLASS, POPULATION,
        "year", "quarter", filters.measure).order_by()


def _value(raw: Decimal | None, population: int | None, per_capita: bool) -> float | None:
    value = float(raw or 0)
    if not per_capita:
        return value
    if not population:
        return None
    return value * 1000 / population


def distribution(label: str, values: list[float]) -> Distribution | None:
    if not values:
        return None
    ordered = sorted(values)
    q1, median, q3 = quartiles(ordered)
    return Distribution(label=label, count=len(ordered), minimum=ordered[0], q1=q1,
                        median=median, q3=q3, maximum=ordered[-1], total=sum(ordered))


def histogram(values: list[float], bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """Equal-width bins with round edges (a width of 1, 2 or 5 times a power of ten) from
    the smallest value, each bin [low, high); at most about `bins` of them."""
    if not values:
        return []
    low, high = min(values), max(values)
    raw = (high - low) / bins
    if raw <= 0:
        width = 1.0
    else:
        power = 10 ** math.floor(math.log10(raw))
        width = next(step * power for step in (1, 2, 5, 10) if step * power >= raw)
    # Rounded before flooring: 0.3 / 0.05 is 5.999… in binary floating point.
    start = math.floor(round(low / width, 9)) * width

    def index(value: float) -> int:
        return math.floor(round((value - start) / width, 9))

    counts = [0] * (index(high) + 1)
    for value in values:
        counts[index(value)] += 1
    return [Bin(low=round(start + i * width, 9), high=round(start + (i + 1) * width, 9),
                count=n) for i, n in enumerate(counts)]


def _sort_key(sort: str):
    name = sort.lstrip("-")
    if name == "rank":
        return lambda r: (r.rank, r.name)
    if name == "change":
        # Organisations without a previous period come last either way.
        return lambda r: (r.change is None, r.change or 0, r.name)
    if name == "name":
        return lambda r: r.name
    return lambda r: (getattr(r, name), r.name)


def sort_rows(rows: list[RankedRow], sort: str) -> list[RankedRow]:
    descending = sort.startswith("-")
    ordered = sorted(rows, key=_sort_key(sort), reverse=descending)
    if sort.lstrip("-") == "change" and descending:
        # Keep the organisations without a change at the end when reversing.
        ordered = [r for r in ordered if r.change is not None] + \
                  [r for r in ordered if r.change is None]
    return ordered


def analysis(*, user: User, filters: Filters) -> Analysis:
    periods = trend_periods(filters.year, filters.quarter)
    current = (filters.year, filters.quarter)
    previous = (filters.year - 1, filters.quarter)
    wanted = set(periods)
    ranking: list[RankedRow] = []
    earlier: dict[int, float] = {}
    # The trend's values per period, and per period and group; only the current period's
    # rows become objects (fewer allocations: this runs for every page view).
    per_period: dict[tuple[int, int], list[float]] = defaultdict(list)
    per_group: dict[tuple[tuple[int, int], str], list[float]] = defaultdict(list)
    group_index = 4 if filters.trend_by == "size_class" else 3
    without_population = 0
    for row in _snapshot_rows(user, filters, periods):
        period = (row[6], row[7])
        if period not in wanted:
            continue
        value = _value(row[8], row[5], filters.per_capita)
        if value is None:
            without_population += period == current
            continue
        per_period[period].append(value)
        per_group[(period, row[group_index])].append(value)
        if period == current:
            ranking.append(RankedRow(organisation_id=row[0], org_number=row[1], name=row[2],
                                     county=row[3], size_class=row[4], population=row[5],
                                     value=value))
        elif period == previous:
            earlier[row[0]] = value

    ascending = sorted(r.value for r in ranking)
    for row in ranking:
        # Ties share the rank: 1 + the number of organisations with a higher value.
        row.rank = 1 + len(ascending) - bisect.bisect_right(ascending, row.value)
        row.previous = earlier.get(row.organisation_id)
    ranking = sort_rows(ranking, filters.sort)

    def grouped(key, labels) -> list[Distribution]:
        groups = defaultdict(list)
        for row in ranking:
            groups[getattr(row, key)].append(row.value)
        return [d for code, label in labels
                if (d := distribution(str(label), groups.get(code, []))) is not None]

    counties = list(County.choices)
    sizes = list(SizeClass.choices)
    everyone = _("Alle")
    trends = [TrendSeries(label=everyone, points=[
        distribution(everyone, per_period.get(p, [])) for p in periods])]
    for code, label in sizes if filters.trend_by == "size_class" else counties:
        points = [distribution(str(label), per_group.get((p, code), [])) for p in periods]
        if any(points):
            trends.append(TrendSeries(label=str(label), points=points))
    return Analysis(
        filters=filters, ranking=ranking, histogram=histogram(ascending),
        overall=distribution(everyone, ascending),
        by_size_class=grouped("size_class", sizes), by_county=grouped("county", counties),
        period_labels=[period_label(*p) for p in periods], trends=trends,
        without_population=without_population, previous_label=period_label(*previous))


def measure_label(measure: str, per_capita: bool) -> str:
    label = str(MEASURES[measure])
    return _("%(measure)s per 1000 innbyggere") % {"measure": label} if per_capita else label
