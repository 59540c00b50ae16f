"""Every indicator number, broken down to the initiatives behind it (for one organisation).

Not a second reading of the rules: the lines are the contributions that compute() sums
(indicators.compute.contributions with detail=True), so the page can say which initiatives gave
which points and the lines always add up to the snapshot (tests/indicators/test_explain.py)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext_lazy

from gevinst.calculations import signed_change
from gevinst.models import Benefit, Measurement
from indicators.compute import (
    ADOPTION,
    COUNTED,
    DIMENSIONS,
    FORWARD,
    NOK,
    STOCK,
    OrganisationIndicators,
    SchemeValues,
    contributions,
    ids_condition,
)
from initiatives.models import Initiative, Phase
from portal.models import Organisation
from projects.models import Project

# What a reader outside the organisation sees instead of an unshared initiative's title.
HIDDEN_TITLE = gettext_lazy("Ikke delt utenfor organisasjonen")


@dataclass
class InitiativeLine:
    initiative_id: int
    title: str
    phase: str
    project_id: int | None
    points: float
    benefit_by_dimension: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))
    forward_transitions: int = 0
    # The link to the project, for the lines a page shows (indicators.views sets it).
    project_url: str = ""

    @property
    def benefit_points(self) -> float:
        return sum(self.benefit_by_dimension.values())

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


@dataclass
class AdoptionLine:
    project_id: int
    title: str
    organisation: str
    phase: str
    points: float

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


@dataclass
class BenefitLine:
    benefit_id: int
    title: str
    project_title: str
    change: Decimal
    nok_per_year: Decimal


class LazyLines(Sequence):
    """A sorted list of lines that builds each line when it is read. A large municipality
    lists thousands of initiatives and its page shows a hundred; the rest are counted, not
    built. Reads like the list it stands for (len, index, slice, iteration)."""

    def __init__(self, keys: list, build):
        self._keys, self._build = keys, build

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._build(key) for key in self._keys[index]]
        return self._build(self._keys[index])

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None


@dataclass
class Explanation:
    initiatives: Sequence[InitiativeLine]
    adoptions: list[AdoptionLine]
    benefits: Sequence[BenefitLine]


def explain(organisation: Organisation, *, period_start: datetime.date,
            period_end: datetime.date, scheme: SchemeValues,
            named_projects: set[int] | None = None) -> Explanation:
    """The organisation's contributions (indicators.compute.contributions, in detail) as lines:
    one per initiative, adopted project and valued benefit. Every number on a line is a
    contribution's; this module only adds titles and names.

    `named_projects`: for a reader outside the organisation, the projects they may see;
    every other initiative and benefit is listed with its numbers but without its title.
    None: a member, who sees every title.

    The initiative and benefit lines are sorted here and built when read (LazyLines)."""

    def named(project_id: int | None) -> bool:
        return named_projects is None or project_id in named_projects

    def title_of(project_id: int | None, title: str) -> str:
        return title if named(project_id) else HIDDEN_TITLE

    own = organisation.pk
    stock, forward, adopted, nok = {}, {}, [], {}
    for c in contributions(period_start=period_start, period_end=period_end, scheme=scheme,
                           organisation_ids=[own], detail=True):
        if c.organisation_id != own:
            continue
        if c.rule == STOCK:
            stock[c.subject_id] = c
        elif c.rule == FORWARD:
            forward[c.subject_id] = c.count
        elif c.rule == ADOPTION:
            adopted.append(c)
        elif c.rule == NOK:
            nok[c.subject_id] = c.nok_per_year
    # An initiative is listed when it counts on E (rules 2, 3, 7) or moved forward in the
    # period (rule 4); its phase is the one in force on E either way.
    listed = [pk for pk, c in stock.items() if c.phase in COUNTED or forward.get(pk)]
    # Titles, projects and (for the adopted) organisation names in one query.
    titles, project_ids, organisation_names = {}, {}, {}
    for pk, title, project_id, organisation_name in _initiative_names(
            own, listed, [c.subject_id for c in adopted]):
        titles[pk], organisation_names[pk] = title, organisation_name
        if project_id is not None:
            project_ids[pk] = project_id

    def initiative_line(key) -> InitiativeLine:
        title, initiative_id = key
        contribution, project_id = stock[initiative_id], project_ids.get(initiative_id)
        return InitiativeLine(
            initiative_id=initiative_id, title=title_of(project_id, titles[initiative_id]),
            phase=contribution.phase, project_id=project_id if named(project_id) else None,
            points=contribution.points,
            benefit_by_dimension=dict(zip(DIMENSIONS, contribution.benefit_by_dimension,
                                          strict=True)),
            forward_transitions=forward.get(initiative_id, 0))

    # Sorted by the title shown (a hidden one sorts as the placeholder text), then the id. The
    # placeholder is translated once: per line it cost an analyst's page some 10 ms.
    hidden = str(HIDDEN_TITLE)
    keys = sorted([(titles[pk] if named(project_ids.get(pk)) else hidden, pk) for pk in listed])

    adoptions = [AdoptionLine(project_id=project_ids.get(c.subject_id),
                              title=titles[c.subject_id],
                              organisation=organisation_names[c.subject_id], phase=c.phase,
                              points=c.points) for c in adopted]
    adoptions.sort(key=lambda line: (line.title, line.project_id or 0))

    def benefit_line(row) -> BenefitLine:
        (pk, value, benefit_id, title, project_id, project_title, direction, baseline) = row
        return BenefitLine(
            benefit_id=benefit_id, title=title_of(project_id, title),
            project_title=title_of(project_id, project_title),
            change=signed_change(direction=direction, baseline=baseline, value=value),
            nok_per_year=nok[pk])

    return Explanation(initiatives=LazyLines(keys, initiative_line), adoptions=adoptions,
                       benefits=LazyLines(_valued_benefits(list(nok)), benefit_line))


def _initiative_names(organisation_id: int, listed: list[int],
                      adopted: list[int]) -> list[tuple]:
    """(initiative, title, its project or None, its organisation's name) for the listed
    initiatives (the organisation's own) and the adopted ones (elsewhere).

    The organisation's initiatives are read whole from initiative_org_titles_idx (an
    index-only range, where looking up a few thousand scattered ids cost a heap page each),
    the few adopted ones by id. The projects are those of the initiative's own organisation,
    read from project_org_initiative_idx (an index-only range joined by hash, where a lookup
    per initiative cost Oslo's page some 6 ms and a plain join hashed the whole project
    table); an initiative without a project there is looked up by its unique index, so a
    project kept under another organisation is still found. An initiative listed under the
    organisation is its own (the phase log copies the initiative's organisation); should one
    not be, it is read by id."""
    if not listed and not adopted:
        return []
    wheres, params = ["i.organisation_id = %s"], [organisation_id]
    if adopted:
        where, ids = ids_condition("i.id", adopted)
        wheres.append(f"{where} AND i.organisation_id <> %s")
        params += [*ids, organisation_id]
    names = _names_where(wheres, params)
    found = {row[0] for row in names}
    missing = [pk for pk in listed if pk not in found]
    if missing:
        where, ids = ids_condition("i.id", missing)
        names += _names_where([where], ids)
    return names


def _names_where(wheres: list[str], params: list) -> list[tuple]:
    """One statement: a UNION ALL of the rows each condition picks (disjoint)."""
    project = Project._meta.db_table
    select = (f"SELECT i.id, i.title, COALESCE(p.id, (SELECT q.id FROM {project} q "
              f"WHERE q.initiative_id = i.id)), o.name FROM {Initiative._meta.db_table} i "
              f"JOIN {Organisation._meta.db_table} o ON o.id = i.organisation_id "
              f"LEFT JOIN {project} p ON p.initiative_id = i.id "
              f"AND p.organisation_id = i.organisation_id WHERE ")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(select + where for where in wheres), params)
        return cursor.fetchall()


def _valued_benefits(measurement_ids: list[int]) -> list[tuple]:
    """(measurement, value, benefit, benefit title, project, project title, direction,
    baseline) for the measurements in force, in the page's order (project, benefit). On
    PostgreSQL each measurement finds its benefit through the primary key (LATERAL ... OFFSET
    0 keeps the planner from hashing the whole benefit table for a few hundred rows)."""
    if not measurement_ids:
        return []
    if connection.vendor != "postgresql":
        return list(Measurement.objects.filter(pk__in=measurement_ids)
                    .order_by("benefit__project__title", "benefit__title", "benefit_id")
                    .values_list("pk", "value", "benefit_id", "benefit__title",
                                 "benefit__project_id", "benefit__project__title",
                                 "benefit__direction", "benefit__baseline_value"))
    where, params = ids_condition("m.id", measurement_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.id, m.value, m.benefit_id, b.title, b.project_id, p.title, b.direction, "
            f"b.baseline_value FROM {Measurement._meta.db_table} m CROSS JOIN LATERAL "
            f"(SELECT * FROM {Benefit._meta.db_table} b WHERE b.id = m.benefit_id OFFSET 0) b "
            f"JOIN {Project._meta.db_table} p ON p.id = b.project_id WHERE {where} "
            f"ORDER BY p.title, b.title, m.benefit_id", params)
        return cursor.fetchall()


def explained_totals(explanation: Explanation) -> OrganisationIndicators:
    """The numbers the explanation's lines add up to, in the shape of compute()'s result (the
    page's promise: the lines add up to the snapshot)."""
    totals = OrganisationIndicators()
    for line in explanation.initiatives:
        if line.phase in totals.phase_counts:
            totals.phase_counts[line.phase] += 1
        totals.stock_points += line.points
        totals.forward_transitions += line.forward_transitions
        for dimension in DIMENSIONS:
            totals.benefit_by_dimension[dimension] += line.benefit_by_dimension[dimension]
    totals.adoption_points = sum(a.points for a in explanation.adoptions)
    totals.realised_nok_per_year = sum((b.nok_per_year for b in explanation.benefits),
                                       Decimal("0"))
    return totals
