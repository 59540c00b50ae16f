"""HTML pages for benefits. Reads go through gevinst.access and gevinst.selectors; every write
calls one service. Forms post to plain URLs, so everything works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gevinst import calculations, selectors, services
from gevinst.access import (
    get_benefit_for_user,
    get_project_for_benefits,
    may_edit_benefits,
)
from gevinst.forms import (
    AssessmentForm,
    BenefitForm,
    CalculatorForm,
    EdgeForm,
    MeasurementForm,
    NodeForm,
    PlanForm,
)
from gevinst.models import Benefit, BenefitMapEdge, BenefitMapNode, BenefitPlan
from gevinst.portfolio_overview import portfolio_overview
from portal.conflicts import edit_conflict
from portal.errors import ConflictError, DomainError
from portal.page_cache import cached_page
from portal.params import ParameterError, parse_int
from portal.views import form_error


def _apply_error(form, error: DomainError) -> int:
    """Put every field error of a domain error on the form; the HTTP status to answer with."""
    if error.errors:
        for field, messages_ in error.errors.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        form_error(form, error)
    return 409 if isinstance(error, ConflictError) else 400


@login_required
@require_safe
@cached_page
def overview(request: HttpRequest) -> HttpResponse:
    """The user's organisations' projects with their benefits, costs against benefits per
    organisation, and the user's open measurement reminders."""
    portfolios = portfolio_overview(user=request.user, pages=request.GET)
    for p in portfolios:
        query = request.GET.copy()
        query.pop(p.page_param, None)
        p.query = query.urlencode()  # the other organisations' pages stay where they are
    return render(request, "gevinst/overview.html", {
        "portfolios": portfolios, "reminders": selectors.reminders_for(request.user),
    })


@login_required
@require_safe
def calculator(request: HttpRequest) -> HttpResponse:
    """Value time saved or avoided tasks in NOK per year, with the formula shown."""
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["method"] == "time_saved":
            result = calculations.time_saved_value(hours_per_period=data["quantity"],
                                                   hourly_cost=data["unit_cost"],
                                                   periods_per_year=data["periods_per_year"])
        else:
            result = calculations.avoided_costs_value(tasks_avoided=data["quantity"],
                                                      cost_per_task=data["unit_cost"],
                                                      periods_per_year=data["periods_per_year"])
    return render(request, "gevinst/calculator.html", {"form": form, "result": result},
                  status=400 if form.errors else 200)


@login_required
@require_safe
def project_benefits(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk)
    context = selectors.project_overview(project, request.user)
    context["plan_history"] = selectors.plan_history(project)[:20]
    context["assessments"] = (project.initiative.assessments.select_related("assessor")
                              .order_by("-assessed_on", "-id"))
    if context["can_edit"]:
        context["assessment_form"] = AssessmentForm(initial={"assessed_on": timezone.localdate()})
    return render(request, "gevinst/project.html", context)


@login_required
def benefit_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    form = BenefitForm(request.POST or None, organisation=project.organisation)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            benefit = services.benefit_create(actor=request.user, project=project,
                                              **form.service_fields())
        except DomainError as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("Gevinsten er lagt til."))
            return redirect("gevinst:benefit", pk=benefit.pk)
    return render(request, "gevinst/benefit_form.html", {"form": form, "project": project},
                  status=400 if form.errors and status == 200 else status)


@login_required
def benefit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = get_benefit_for_user(request.user, pk, write=True)
    project = benefit.project
    initial = {name: getattr(benefit, name) for name in services.BENEFIT_FIELDS}
    initial["version"] = benefit.version
    form = BenefitForm(request.POST or None, initial=initial, organisation=project.organisation,
                       current_unit=benefit.unit)
    status, conflict = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.benefit_update(actor=request.user, benefit=benefit,
                                    expected_version=form.cleaned_data["version"] or 0,
                                    **form.service_fields())
        except ConflictError:
            status, conflict = 409, edit_conflict(form, Benefit.objects.filter(pk=pk).first())
        except DomainError as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("Gevinsten er oppdatert."))
            return redirect("gevinst:benefit", pk=benefit.pk)
    return render(request, "gevinst/benefit_form.html",
                  {"form": form, "project": project, "benefit": benefit, "conflict": conflict},
                  status=400 if form.errors and status == 200 else status)


@login_required
@require_safe
def benefit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _benefit_page(request, pk)


def _benefit_page(request: HttpRequest, pk: int, measurement_form=None,
                  status: int = 200) -> HttpResponse:
    """The benefit page; also re-rendered with the errors of a refused measurement."""
    benefit = get_benefit_for_user(request.user, pk)
    measurements = list(benefit.measurements.select_related("entered_by")
                        .order_by("measured_on", "id"))
    latest = next((m for m in reversed(measurements) if m.valid_until is None), None)
    can_edit = may_edit_benefits(request.user, benefit.project)
    if can_edit and measurement_form is None:
        measurement_form = MeasurementForm(initial={"measured_on": timezone.localdate()})
    return render(request, "gevinst/benefit.html", {
        "benefit": benefit, "project": benefit.project,
        "row": selectors.benefit_row(benefit, latest),
        "measurements": [(m, selectors.benefit_row(benefit, m).change) for m in measurements],
        "chart": selectors.chart_data(benefit, measurements),
        "can_edit": can_edit, "measurement_form": measurement_form,
        "open_reminders": benefit.reminders.filter(done_at__isnull=True).order_by("due_on"),
    }, status=status)


@login_required
@require_POST
def measurement_add(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = get_benefit_for_user(request.user, pk, write=True)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.measurement_create(actor=request.user, benefit=benefit, **form.cleaned_data)
        except DomainError as error:
            return _benefit_page(request, pk, form, _apply_error(form, error))
        messages.success(request, _("Målingen er registrert."))
        return redirect("gevinst:benefit", pk=benefit.pk)
    return _benefit_page(request, pk, form, 400)


@login_required
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    form = AssessmentForm(request.POST or None,
                          initial={"assessed_on": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_create(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("Nyttevurderingen er registrert."))
            return redirect("gevinst:project", pk=project.pk)
    return render(request, "gevinst/assessment_form.html", {"form": form, "project": project},
                  status=400 if form.errors and status == 200 else status)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    plan = BenefitPlan.objects.filter(project=project).first()
    initial = {"version": plan.version if plan else 0}
    if plan:
        initial.update(interval_months=plan.interval_months, first_due_on=plan.first_due_on,
                       notes=plan.notes)
    form = PlanForm(request.POST or None, initial=initial)
    status, conflict = 200, None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.benefit_plan_save(actor=request.user, project=project,
                                       expected_version=version, **data)
        except ConflictError:
            # Also when somebody else wrote the first plan while this editor started from none.
            status, conflict = 409, edit_conflict(
                form, BenefitPlan.objects.filter(project=project).first())
        except DomainError as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("Gevinstrealiseringsplanen er lagret."))
            return redirect("gevinst:project", pk=project.pk)
    return render(request, "gevinst/plan_form.html",
                  {"form": form, "project": project, "plan": plan, "conflict": conflict},
                  status=400 if form.errors and status == 200 else status)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk)
    try:
        version = parse_int(request.POST.get("version") or "0", name="version") or None
    except ParameterError:
        version = None
    try:
        services.benefit_plan_approve(actor=request.user, project=project,
                                      expected_version=version)
    except DomainError as error:
        if error.status_code == 403:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Gevinstrealiseringsplanen er godkjent."))
    return redirect("gevinst:project", pk=project.pk)


@login_required
@require_safe
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk)
    context = selectors.project_overview(project, request.user)
    context["plan_history"] = selectors.plan_history(project)
    context["printed_at"] = timezone.now()
    return render(request, "gevinst/plan_print.html", context)


@login_required
@require_safe
def map_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _map_page(request, pk)


def _map_page(request: HttpRequest, pk: int, node_form=None, edge_form=None,
              status: int = 200) -> HttpResponse:
    """The benefit map editor; also re-rendered with the errors of a refused node or edge."""
    project = get_project_for_benefits(request.user, pk, write=True)
    return render(request, "gevinst/map_edit.html", {
        "project": project, "map": selectors.project_map(project),
        "nodes": project.map_nodes.select_related("benefit"),
        "edges": project.map_edges.select_related("source", "target"),
        "node_form": node_form or NodeForm(project=project),
        "edge_form": edge_form or EdgeForm(project=project),
    }, status=status)


@login_required
@require_POST
def map_node_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    form = NodeForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.map_node_add(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            return _map_page(request, pk, node_form=form, status=_apply_error(form, error))
        return redirect("gevinst:map", pk=project.pk)
    return _map_page(request, pk, node_form=form, status=400)


@login_required
@require_POST
def map_node_remove(request: HttpRequest, pk: int, node_pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    node = get_object_or_404(BenefitMapNode, pk=node_pk, project=project)
    services.map_node_remove(actor=request.user, node=node)
    return redirect("gevinst:map", pk=project.pk)


@login_required
@require_POST
def map_edge_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    form = EdgeForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.map_edge_add(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            return _map_page(request, pk, edge_form=form, status=_apply_error(form, error))
        return redirect("gevinst:map", pk=project.pk)
    return _map_page(request, pk, edge_form=form, status=400)


@login_required
@require_POST
def map_edge_remove(request: HttpRequest, pk: int, edge_pk: int) -> HttpResponse:
    project = get_project_for_benefits(request.user, pk, write=True)
    edge = get_object_or_404(BenefitMapEdge, pk=edge_pk, project=project)
    services.map_edge_remove(actor=request.user, edge=edge)
    return redirect("gevinst:map", pk=project.pk)
