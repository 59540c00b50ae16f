"""The indicator pages: an organisation's numbers with the initiatives behind them, recompute
with visible progress, and the point scheme versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from indicators import rows, services
from indicators.access import (
    can_change_scheme,
    can_freeze,
    can_start_job,
    can_view_job,
    is_member,
    readable_organisation_list,
    readable_organisations,
)
from indicators.comparison import as_chart, comparison
from indicators.explain import explain
from indicators.forms import FreezeForm, PeriodForm, PointSchemeForm
from indicators.models import (
    YEAR,
    IndicatorJob,
    IndicatorPeriod,
    IndicatorSnapshot,
    PeriodStatus,
    PointScheme,
)
from indicators.selectors import scheme_change_reach
from initiatives.models import COUNTED_PHASES, ORDERED_PHASES, Phase
from portal.access import get_organisation_for_user
from portal.errors import DomainError
from portal.exports import Column, ExportRequest, ExportSpec, Kind, export_view
from portal.page_cache import cached_page
from portal.views import form_error
from projects.access import projects_visible_to

CHART_DOWNLOADS = ("phases", "history", "comparison")


def _chart_download(export: ExportRequest, organisation, year: int, quarter: int, *, history,
                    peer_groups, phase_rows):
    """The numbers behind one chart of the indicator page, as CSV."""
    kind = export.choices["download"]
    slug = f"{organisation.org_number}-{year}" + (f"-k{quarter}" if quarter else "")
    title = _("Indikatorer")

    def respond(columns, rows, filename):
        return export.response(columns, rows, filename=filename, title=title)

    if kind == "phases":
        return respond([Column(_("Fase"), "", lambda r: r[0]),
                        Column(_("Antall"), "", lambda r: r[1], Kind.INTEGER),
                        Column(_("Poeng per initiativ"), "", lambda r: r[2], Kind.DECIMAL,
                               places=1)],
                       phase_rows, f"faser-{slug}")
    if kind == "history":
        return respond([Column(_("År"), "", lambda r: r["year"], Kind.IDENTIFIER),
                        Column(_("Aktivitetspoeng"), "", lambda r: r["points"], Kind.DECIMAL,
                               places=1),
                        Column(_("Nyttepoeng"), "", lambda r: r["benefit_points"],
                               Kind.DECIMAL, places=1),
                        Column(_("Realisert gevinst per år (kr)"), "",
                               lambda r: r["realised_nok_per_year"], Kind.MONEY)],
                       history, f"utvikling-{organisation.org_number}")
    rows = [(group.title, s) for group in peer_groups for s in group.spreads]

    def figure(header: str, name: str) -> Column:
        return Column(header, "", lambda r: getattr(r[1], name), Kind.DECIMAL)

    return respond([Column(_("Gruppe"), "", lambda r: r[0]),
                    Column(_("Mål"), "", lambda r: r[1].label),
                    Column(_("Antall"), "", lambda r: r[1].count, Kind.INTEGER),
                    figure(_("Dere"), "own"),
                    Column(_("Plass"), "", lambda r: r[1].rank, Kind.INTEGER),
                    figure(_("Min."), "minimum"), figure(_("1. kvartil"), "q1"),
                    figure(_("Median"), "median"), figure(_("3. kvartil"), "q3"),
                    figure(_("Maks."), "maximum")],
                   rows, f"sammenligning-{slug}")

def _snapshot_and_history(organisation, year: int, quarter: int):
    """The period's snapshot (with its scheme) and the whole years' figures, in one query."""
    snapshot, history = None, []
    for row in (IndicatorSnapshot.objects.filter(Q(quarter=YEAR) | Q(year=year, quarter=quarter),
                                                 organisation=organisation)
                .select_related("scheme").order_by("year", "quarter")):
        if row.year == year and row.quarter == quarter:
            snapshot = row
        if row.quarter == YEAR:
            history.append({"year": row.year, "points": row.points,
                            "benefit_points": row.benefit_points,
                            "realised_nok_per_year": row.realised_nok_per_year})
    return snapshot, history


# A project id in no database, reversed once per page and replaced by each line's own.
_PROJECT_SLOT = 9876543210123


def _link_projects(lines) -> None:
    """Each shown line's link to its project (if the reader may see it): one reverse() for the
    page, where a {% url %} per line cost more than the rest of the row (25 µs a call)."""
    url, slot = reverse("projects:detail", args=[_PROJECT_SLOT]), str(_PROJECT_SLOT)
    for line in lines:
        if line.project_id:
            line.project_url = url.replace(slot, str(line.project_id))


@login_required
@require_safe
@export_view(ExportSpec(formats=("csv",), choices={"download": CHART_DOWNLOADS},
                        trigger="download"))
@cached_page
def indicator_home(request: HttpRequest) -> HttpResponse:
    organisations = readable_organisation_list(request.user)
    if not organisations:
        raise PermissionDenied
    wanted = request.GET.get("organisation")
    organisation = next((o for o in organisations if o.org_number == wanted), organisations[0])
    form = PeriodForm(request.GET or None, initial={"year": timezone.localdate().year})
    year, quarter = timezone.localdate().year, YEAR
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], int(form.cleaned_data["quarter"] or YEAR)
    snapshot, history = _snapshot_and_history(organisation, year, quarter)
    peer_groups = comparison(organisation, year=year, quarter=quarter)
    phase_rows = []
    if snapshot is not None:
        phase_rows = [(Phase(p).label, getattr(snapshot, f"count_{p}"),
                       snapshot.scheme.phase_points.get(p, 0)) for p in COUNTED_PHASES]
    if request.export is not None:
        # Each chart's numbers, before the (costly) breakdown of the initiatives.
        return _chart_download(request.export, organisation, year, quarter, history=history,
                               peer_groups=peer_groups, phase_rows=phase_rows)
    breakdown = lines_page = benefits_page = None
    breakdown_html = {}
    if snapshot is not None:
        # Readers outside the organisation (analysts) get every number, but titles only of
        # the projects they may see: confidential and in-house work stays unnamed.
        named = None if is_member(request.user, organisation) else set(
            projects_visible_to(request.user).filter(organisation=organisation)
            .values_list("pk", flat=True))
        breakdown = explain(organisation, period_start=snapshot.period_start,
                            period_end=snapshot.period_end, scheme=snapshot.scheme.values(),
                            named_projects=named)
        # A large municipality has thousands of initiatives: list them a page at a time.
        lines_page = Paginator(breakdown.initiatives, 100).get_page(request.GET.get("page"))
        _link_projects(lines_page.object_list)
        benefits_page = Paginator(breakdown.benefits, 100).get_page(request.GET.get("bpage"))
        # The long lists' markup, written in Python (indicators.rows): node by node they were
        # most of the template's time.
        breakdown_html = {"initiative_rows": rows.initiative_rows(lines_page),
                          "adoption_items": rows.adoption_items(breakdown.adoptions),
                          "benefit_rows": rows.benefit_rows(benefits_page)}
    # The downloads name the organisation and period shown, also when they were defaults.
    query = QueryDict(mutable=True)
    query.update({"organisation": organisation.org_number, "year": year,
                  "quarter": quarter or ""})
    # A frozen period's numbers are final: no recompute is offered, and who froze it is shown.
    period = (IndicatorPeriod.objects.filter(year=year, quarter=quarter)
              .select_related("frozen_by").first())
    frozen = period is not None and period.status == PeriodStatus.FINAL
    can_recompute = can_start_job(request.user, organisation)
    return render(request, "indicators/home.html", {
        "period": period, "frozen": frozen,
        "can_freeze": (not frozen and snapshot is not None
                       and can_freeze(request.user)),
        "organisation": organisation, "organisations": organisations, "form": form,
        "year": year, "quarter": quarter, "snapshot": snapshot, "history": history,
        "breakdown": breakdown, "lines_page": lines_page, "benefits_page": benefits_page,
        "phase_rows": phase_rows, **breakdown_html,
        "peer_groups": peer_groups, "query": query.urlencode(),
        "chart_data": {
            "comparison": as_chart(peer_groups) if peer_groups else None,
            "labels": {"count": _("Antall"), "activity": _("Aktivitetspoeng"),
                       "benefit": _("Nyttepoeng")},
            "phases": {"labels": [r[0] for r in phase_rows], "counts": [r[1] for r in phase_rows]},
            "history": {"labels": [h["year"] for h in history],
                        "points": [float(h["points"]) for h in history],
                        "benefit": [float(h["benefit_points"]) for h in history]},
        },
        "can_recompute": can_recompute,
        # Shown only beside the recompute button, which a frozen period has not.
        "latest_job": IndicatorJob.objects.filter(organisation=organisation,
                                                  requested_by=request.user).first()
        if can_recompute and not frozen else None,
    })


@login_required
@require_POST
def indicator_recompute(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation = next((o for o in readable_organisations(request.user)
                         if o.org_number == org_number), None)
    if organisation is None:
        organisation = get_organisation_for_user(request.user, org_number)  # 404 outsiders
    # Readers and members without the right are refused before their input is looked at.
    if not can_start_job(request.user, organisation):
        raise PermissionDenied
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return _recompute_refused(request, org_number, _("Ugyldig periode."))
    try:
        job = services.indicator_job_create(
            actor=request.user, year=form.cleaned_data["year"],
            quarter=int(form.cleaned_data["quarter"] or YEAR), organisation=organisation)
    except DomainError as error:
        return _recompute_refused(request, org_number, error.message)
    if request.htmx:
        # Without Redis the task ran eagerly, on commit, inside the service: show the job as
        # it is now, not as it was created.
        job.refresh_from_db()
        return render(request, "indicators/job_progress.html", {"job": job})
    return redirect("indicators:job", pk=job.pk)


def _recompute_refused(request: HttpRequest, org_number: str, message: str) -> HttpResponse:
    """htmx swaps the answer into the status box: a message there, never a whole page (a
    redirect would nest the page, header and all, inside itself)."""
    if request.htmx:
        return render(request, "indicators/recompute_refused.html", {"message": message})
    messages.error(request, message)
    return redirect(f"{reverse('indicators:home')}?organisation={org_number}")


@login_required
def indicator_freeze(request: HttpRequest) -> HttpResponse:
    """«Frys året»: the year's numbers (year and quarters, every organisation) become final.
    A confirmation page first (GET), the freeze on its POST; the period rows record who froze
    it and when. For the portal's administrators, like the national recompute."""
    if not can_freeze(request.user):
        raise PermissionDenied
    form = FreezeForm(request.POST or request.GET or None)
    if not form.is_valid():
        return render(request, "indicators/freeze_confirm.html", {"form": form}, status=400)
    year = form.cleaned_data["year"]
    back = f"{reverse('indicators:home')}?year={year}"
    if request.method == "POST":
        try:
            count = services.indicators_freeze(actor=request.user, year=year)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, ngettext(
                "Tallene for %(year)s er frosset (%(count)d øyeblikksbilde).",
                "Tallene for %(year)s er frosset (%(count)d øyeblikksbilder).", count)
                % {"year": year, "count": count})
        return redirect(back)
    period = IndicatorPeriod.objects.filter(year=year, quarter=YEAR).first()
    return render(request, "indicators/freeze_confirm.html", {
        "form": form, "year": year, "back": back,
        "already": period is not None and period.status == PeriodStatus.FINAL,
        "organisations": IndicatorSnapshot.objects.filter(year=year, quarter=YEAR).count()})


@login_required
@require_safe
def indicator_job(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(IndicatorJob.objects.select_related("organisation"), pk=pk)
    if not can_view_job(request.user, job):
        raise Http404
    template = "indicators/job_progress.html" if request.htmx else "indicators/job.html"
    return render(request, template, {"job": job})


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    """The point scheme's versions, and for the portal's administrators a form for a new
    version: a POST shows what changes and which years are recomputed; only its confirmation
    («Lagre ny versjon», `confirm`) saves. «Endre» (`edit`) returns to the form as typed."""
    can_edit = can_change_scheme(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    current = PointScheme.objects.first()  # the newest: ordered by valid_from, version
    form = PointSchemeForm(request.POST or None, current=current) if can_edit else None
    if request.method == "POST" and form.is_valid():
        try:
            last = services.point_scheme_check(name=form.cleaned_data["name"],
                                               valid_from=form.cleaned_data["valid_from"])
            if "confirm" in request.POST:
                return _scheme_saved(request, services.point_scheme_create(
                    actor=request.user, **form.service_fields()))
        except DomainError as error:
            form_error(form, error)
        else:
            if "edit" not in request.POST:
                return _scheme_confirm(request, form, last or current)
    schemes = list(PointScheme.objects.all())
    return render(request, "indicators/schemes.html", {
        "schemes": schemes, "form": form, "phases": [Phase(p) for p in ORDERED_PHASES],
        "rows": [(s, [s.phase_points.get(p, 0) for p in ORDERED_PHASES],
                  [s.benefit_weights.get(p, 0) for p in ORDERED_PHASES],
                  Phase(s.adoption_min_phase).label) for s in schemes],
    }, status=400 if form is not None and form.errors else 200)


def _scheme_confirm(request: HttpRequest, form: PointSchemeForm,
                    before: PointScheme | None) -> HttpResponse:
    """What the new version changes, and which computed years it reaches (frozen ones not)."""
    reach = scheme_change_reach(form.cleaned_data["valid_from"])
    return render(request, "indicators/scheme_confirm.html", {
        "form": form, "before": before, "changes": form.changes(before),
        "recomputed": _years(reach.recomputed_years), "frozen": _years(reach.frozen_years),
    })


def _years(years) -> str:
    return get_text_list([str(year) for year in years], _("og"))


def _scheme_saved(request: HttpRequest, scheme: PointScheme) -> HttpResponse:
    reach = scheme_change_reach(scheme.valid_from)
    message = _("Poengmodellen %(label)s er lagret.") % {"label": scheme.label}
    if reach.recomputed_years:
        message += " " + _("Tallene for %(years)s beregnes på nytt.") % {
            "years": _years(reach.recomputed_years)}
    if reach.frozen_years:
        message += " " + _("Frosne år (%(years)s) endres ikke.") % {
            "years": _years(reach.frozen_years)}
    messages.success(request, message)
    return redirect("indicators:schemes")
