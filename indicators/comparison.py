"""Where an organisation stands among its peers: the same size class, and the same county
(as the KS barometer and the evaluation of the national welfare technology programme compared
small, medium and large municipalities).

Read from the snapshots of one period — at most a few hundred rows — and summarised in Python:
count, minimum, quartiles, median, maximum, and the organisation's own value and rank.
Quartiles are the inclusive method (linear interpolation between order statistics, as
spreadsheet QUARTILE.INC), so they are reproducible by hand."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import IndicatorSnapshot
from portal.attributes import COUNTY, POPULATION, SIZE_CLASS, attribute_annotations
from portal.models import County, Organisation, SizeClass, size_class_for

MEASURES = {"points": gettext_lazy("Aktivitetspoeng"),
            "benefit_points": gettext_lazy("Nyttepoeng"),
            "realised_nok_per_year": gettext_lazy("Realisert gevinst per år (kr)")}


@dataclass(frozen=True)
class Spread:
    measure: str
    label: str
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    own: float
    rank: int  # 1 = the highest value in the group

    @property
    def quartile(self) -> int:
        """Which quarter of the group the organisation is in: 4 is the top quarter."""
        if self.own > self.q3:
            return 4
        if self.own > self.median:
            return 3
        if self.own > self.q1:
            return 2
        return 1

    @property
    def places(self) -> int:
        """Decimals shown: whole kroner, points with two."""
        return 0 if self.measure == "realised_nok_per_year" else 2


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile by the inclusive method (QUARTILE.INC);
    a single value is all three. The analyst pages use the same method as the comparison."""
    if len(values) > 1:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return q1, median, q3
    return values[0], values[0], values[0]


def spread(values: list[float], own: float, *, measure: str = "", label: str = "") -> Spread:
    ordered = sorted(values)
    q1, median, q3 = quartiles(ordered)
    return Spread(measure=measure, label=label, count=len(ordered), minimum=ordered[0],
                  q1=q1, median=median, q3=q3, maximum=ordered[-1], own=own,
                  rank=1 + sum(1 for v in ordered if v > own))


@dataclass(frozen=True)
class PeerGroup:
    title: str
    spreads: list[Spread]


def comparison(organisation: Organisation, *, year: int, quarter: int) -> list[PeerGroup]:
    """The organisation among organisations of its kind with the same size class, and in the
    same county. Empty when the period has no snapshot for the organisation."""
    # Peers by the size class and county in force on the period's end (portal.attributes).
    # The size class follows from the population by size_class_for() here rather than by its
    # SQL form (annotate_attributes), which repeats the population's subqueries in each of
    # its cases: compiling that query was most of this function's time (issue 18).
    rows = list(IndicatorSnapshot.objects.filter(
        year=year, quarter=quarter, organisation__kind=organisation.kind).annotate(
        **attribute_annotations("period_end", organisation="organisation")).values(
        "organisation_id", COUNTY, POPULATION, *MEASURES))
    for row in rows:
        row[SIZE_CLASS] = size_class_for(row[POPULATION])
    own = next((r for r in rows if r["organisation_id"] == organisation.pk), None)
    if own is None:
        return []
    groups = []
    for title, key, value in (
            (_("Samme størrelse: %(size)s") % {"size": SizeClass(own[SIZE_CLASS]).label},
             SIZE_CLASS, own[SIZE_CLASS]),
            (_("Samme fylke: %(county)s")
             % {"county": County(own[COUNTY]).label if own[COUNTY] else ""},
             COUNTY, own[COUNTY])):
        if not value:
            continue
        peers = [r for r in rows if r[key] == value]
        groups.append(PeerGroup(title=title, spreads=[
            spread([float(r[m]) for r in peers], float(own[m]), measure=m, label=str(label))
            for m, label in MEASURES.items()]))
    return groups


def as_chart(groups: list[PeerGroup], measure: str = "points") -> dict:
    """The chart's data: per group the quartile box, the median and the own value."""
    chosen = [next(s for s in g.spreads if s.measure == measure) for g in groups]
    return {"labels": [g.title for g in groups],
            "box": [[s.q1, s.q3] for s in chosen], "median": [s.median for s in chosen],
            "own": [s.own for s in chosen], "min": [s.minimum for s in chosen],
            "max": [s.maximum for s in chosen],
            "names": {"box": _("Midterste halvdel (1.–3. kvartil)"), "median": _("Median"),
                      "own": _("Dere")}}
