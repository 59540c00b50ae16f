"""The benefit overview (/benefits/): per organisation of the user, costs against annual NOK
benefits per project and for the whole portfolio, in a number of queries that does not grow
with the portfolio.

Why: the overview used to load every project of every organisation of the user, every
benefit with its latest measurement and every formula in words (gevinst.selectors.portfolio),
and render one table row per project: Oslo's 2 052 projects took 2.9 s, most of it building
and rendering rows nobody scrolls through. Now the portfolio's totals are three grouped
aggregates in the database, and the table shows one page of projects per organisation (a
pager per organisation); the numbers are those of gevinst.selectors.portfolio(), which the
tests compare against.

A benefit's annual NOK value is the realised change of its latest measurement × NOK per unit
× periods per year, rounded to øre half away from zero per benefit (gevinst.calculations:
ROUND_HALF_UP), and none without a valuation or a measurement: Measurement.nok_per_year, the
exact product that gevinst.history keeps for indicator rule 8, rounded in the query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round

from gevinst import calculations as calc
from gevinst.models import Benefit, Measurement
from portal.access import memberships_of
from portal.paging import CappedPage, CappedPaginator
from portal.params import id_or_none
from projects.models import CostRecurrence, Project, ProjectCost

PAGE_SIZE = 25
MONEY = DecimalField(max_digits=30, decimal_places=2)
ZERO = Decimal(0)


def _valued_latest() -> object:
    """Latest measurements (valid_until null, kept by gevinst.history) of valued benefits."""
    return Measurement.objects.filter(valid_until__isnull=True, nok_per_year__isnull=False)


def _nok_per_year() -> Round:
    """A benefit's annual NOK value from its latest measurement: Measurement.nok_per_year
    (realised change × NOK per unit × periods per year, exact, kept by gevinst.history for
    indicator rule 8) rounded to øre as gevinst.calculations.benefit_nok_per_year rounds."""
    return Round(F("nok_per_year"), 2, output_field=MONEY)


def _per_project(queryset, value) -> Subquery:
    return Subquery(queryset.filter(project=OuterRef("pk")).order_by().values("project")
                    .annotate(total=value).values("total")[:1], output_field=MONEY)


def _page_rows(organisation_id: int, number: int) -> list[Project]:
    """One page of an organisation's projects by title, each with what its row shows: benefit
    counts, cost totals and the annual NOK benefit, all as subqueries of one query."""
    number_field = IntegerField()
    benefits = Benefit.objects.filter(project=OuterRef("pk")).order_by().values("project")
    nok = Subquery(_valued_latest().filter(benefit__project=OuterRef("pk")).order_by()
                   .values("benefit__project").annotate(total=Sum(_nok_per_year()))
                   .values("total")[:1], output_field=MONEY)
    one_off = ProjectCost.objects.filter(recurrence=CostRecurrence.ONE_OFF)
    annual = ProjectCost.objects.filter(recurrence=CostRecurrence.ANNUAL)
    offset = (number - 1) * PAGE_SIZE
    return list(
        Project.objects.filter(organisation_id=organisation_id)
        .select_related("initiative")
        .annotate(
            n_benefits=Coalesce(Subquery(benefits.annotate(n=Count("pk")).values("n")[:1],
                                         output_field=number_field), 0),
            n_without_owner=Coalesce(Subquery(
                benefits.filter(owner__isnull=True).annotate(n=Count("pk")).values("n")[:1],
                output_field=number_field), 0),
            one_off_costs=Coalesce(_per_project(one_off, Sum("amount_nok")), Value(ZERO),
                                   output_field=MONEY),
            annual_costs=Coalesce(_per_project(annual, Sum("amount_nok")), Value(ZERO),
                                  output_field=MONEY),
            annual_benefit=Coalesce(nok, Value(ZERO), output_field=MONEY))
        .order_by("title", "pk")[offset:offset + PAGE_SIZE + 1])


@dataclass
class OrganisationPortfolio:
    organisation: object
    lines: list[dict]
    total: calc.CostBenefit
    page: CappedPage
    page_param: str  # the GET parameter of this organisation's page
    query: str = ""  # the rest of the query string, for the pager's links (set by the view)


def portfolio_overview(*, user, pages) -> list[OrganisationPortfolio]:
    """The portfolios of the organisations where the user is a member (who reads benefits,
    gevinst.access), by organisation name. `pages` maps "page-<org number>" to the requested
    page of that organisation's table (the request's GET; anything unparsable is page 1, past
    the end the last page)."""
    organisations = [m.organisation for m in memberships_of(user).values()]
    ids = [o.pk for o in organisations]
    if not ids:
        return []
    counts = dict(Project.objects.filter(organisation_id__in=ids).order_by()
                  .values_list("organisation_id").annotate(n=Count("pk")))
    costs = {row["project__organisation_id"]: row for row in
             ProjectCost.objects.filter(project__organisation_id__in=ids).order_by()
             .values("project__organisation_id")
             .annotate(one_off=Sum("amount_nok", filter=Q(recurrence=CostRecurrence.ONE_OFF)),
                       annual=Sum("amount_nok", filter=Q(recurrence=CostRecurrence.ANNUAL)))}
    benefits = dict(_valued_latest().filter(organisation_id__in=ids)
                    .order_by().values_list("organisation_id")
                    .annotate(total=Sum(_nok_per_year())))
    out = []
    for organisation in organisations:
        count = counts.get(organisation.pk, 0)
        paginator = CappedPaginator(count=count, per_page=PAGE_SIZE, capped=False)
        number = id_or_none(pages.get(f"page-{organisation.org_number}")) or 1
        number = min(number, paginator.num_pages)
        rows = _page_rows(organisation.pk, number) if count else []
        lines = [{"project": p, "result": calc.cost_benefit(
            one_off_costs=p.one_off_costs, annual_costs=p.annual_costs,
            annual_benefit=p.annual_benefit)} for p in rows[:PAGE_SIZE]]
        cost = costs.get(organisation.pk, {})
        total = calc.cost_benefit(one_off_costs=cost.get("one_off") or ZERO,
                                  annual_costs=cost.get("annual") or ZERO,
                                  annual_benefit=benefits.get(organisation.pk) or ZERO)
        page = CappedPage(object_list=lines, number=number, paginator=paginator,
                          has_next_rows=len(rows) > PAGE_SIZE)
        out.append(OrganisationPortfolio(organisation=organisation, lines=lines, total=total,
                                         page=page,
                                         page_param=f"page-{organisation.org_number}"))
    return out
