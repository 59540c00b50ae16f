"""HTML pages for projects. Every write calls one service; every read goes through
projects.access or projects.selectors. Forms post to plain URLs, so all of it works without
JavaScript; htmx only swaps the list rows."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from initiatives.models import ORDERED_PHASES, Phase
from initiatives.phase_log import last_phase_change
from portal import page_cache
from portal.access import (
    can_anywhere,
    get_organisation_for_user,
    member_organisation_ids,
    organisations_where,
    user_can,
)
from portal.conflicts import edit_conflict
from portal.dates import EARLIEST, HAPPENED, date_widget_attrs
from portal.errors import ConflictError, DomainError
from portal.numbers import number_text
from portal.page_cache import cached_page
from portal.paging import capped_page
from portal.params import id_or_none
from portal.prefetch import prefetch_together
from portal.roles import Capability
from portal.views import form_error
from projects import selectors, services
from projects.access import (
    get_project_for_user,
    is_member,
    may_decide,
    may_edit,
    may_read_decisions,
)
from projects.extensions import project_panels
from projects.filters import CatalogueFilter, ProjectListFilter
from projects.forms import (
    AdoptForm,
    ChecklistItemForm,
    DecisionForm,
    ProjectForm,
    content_form_class,
)
from projects.models import GateChecklistItem, Project
from projects.phases import PROJECT_PHASES
from projects.services.checklists import checklist_items, gate_checklist
from projects.services.content import CONTENT_KINDS, item_version

PAGE_SIZE = 25


def _paged(request: HttpRequest, queryset, filter_class, *, template: str, rows: str,
           target: str, context: dict) -> HttpResponse:
    filterset = filter_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    page = capped_page(queryset, request.GET.get("page"), PAGE_SIZE, keys_first=True)
    query = request.GET.copy()
    query.pop("page", None)
    context = {**context, "page": page, "filter": filterset, "query": query.urlencode()}
    if request.htmx and request.htmx.target == target:
        return render(request, rows, context)
    return render(request, template, context)


@login_required
@require_safe
@cached_page
def project_list(request: HttpRequest) -> HttpResponse:
    return _paged(request, selectors.project_list(user=request.user), ProjectListFilter,
                  template="projects/list.html", rows="projects/_rows.html",
                  target="project-rows", context={
                      "title": _("Prosjekter"),
                      "edits_checklists": can_anywhere(request.user,
                                                       Capability.DECIDE_GATES)})


@require_safe
@cached_page
def catalogue(request: HttpRequest) -> HttpResponse:
    """The open catalogue of shared innovations: readable without login."""
    return _paged(request, selectors.catalogue(user=request.user), CatalogueFilter,
                  template="projects/catalogue.html", rows="projects/_catalogue_rows.html",
                  target="catalogue-rows", context={"title": _("Katalog over delte "
                                                               "innovasjoner")})


def _adopt_organisations(request: HttpRequest, project):
    return organisations_where(request.user, Capability.DECIDE_GATES).exclude(
        pk=project.organisation_id).exclude(projects__adopted_from=project).order_by("name")


@require_safe
def catalogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A shared project as everybody outside its organisation sees it: no team, costs,
    funding, risks or links."""
    project = get_project_for_user(request.user, pk)
    if project.visibility == "organisation":
        raise Http404
    return _shared_page(request, project)


def _shared_page(request: HttpRequest, project) -> HttpResponse:
    context = {"project": project, "adopters": selectors.adopters_of(project),
               "member": request.user.is_authenticated and is_member(request.user, project),
               "my_organisations": set(organisations_where(request.user).values_list(
                   "pk", flat=True))}
    if request.user.is_authenticated and project.visibility != "organisation":
        organisations = _adopt_organisations(request, project)
        if organisations.exists():
            context["adopt_form"] = AdoptForm(organisations=organisations)
    return render(request, "projects/shared.html", context)


def _decision_context(request, project, decision_form=None, *, timeline=None,
                      checklist_read=None) -> dict:
    phase = project.initiative.phase
    known = timeline.changes if getattr(timeline, "complete", False) else None
    before = selectors.phase_before_special(project, known) if phase in (
        Phase.PARKED, Phase.STOPPED) else None
    targets = selectors.allowed_targets(project, before if phase == Phase.PARKED else None)
    next_phase = None
    if phase in PROJECT_PHASES and phase != Phase.SPREAD:
        next_phase = Phase(ORDERED_PHASES[ORDERED_PHASES.index(phase) + 1])
    decides = may_decide(request.user, project)
    if decides and targets and decision_form is None:
        decision_form = DecisionForm(targets=targets, initial={
            "expected_phase": phase, "to_phase": next_phase or targets[0][0]})
    if decision_form is not None:
        # The browser's date picker offers only what the service accepts: from the
        # previous change up to today.
        if timeline is not None and getattr(timeline, "complete", False):
            last = timeline.last_change
        else:
            last = last_phase_change(project.initiative)
        attrs = decision_form.fields["effective_date"].widget.attrs
        attrs.update(date_widget_attrs(HAPPENED))
        if last is not None:
            attrs["min"] = max(last.effective_date, EARLIEST).isoformat()
    # A read: the page writes nothing (the defaults were seeded on a write, projects.apps).
    checklist = gate_checklist(project, items=checklist_read) if phase in PROJECT_PHASES \
        else []
    return {"phase_bar": selectors.phase_bar(project, before), "next_phase": next_phase,
            "checklist": checklist, "open_items": sum(1 for r in checklist if not r["done"]),
            "decision_form": decision_form if decides and targets else None,
            "targets": targets, "may_decide": decides}


@login_required
@require_safe
@cached_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, pk)


def _project_page(request: HttpRequest, pk: int, *, decision_form=None,
                  status: int = 200) -> HttpResponse:
    """The project page; also re-rendered with the errors of a refused gate decision."""
    project = get_project_for_user(request.user, pk)
    if not may_read_decisions(request.user, project):
        # The catalogue's view, as the transitions API gives these readers.
        return _shared_page(request, project)
    previous_visit = services.project_visit_record(user=request.user, project=project)
    page_cache.replay_on_hit(request, "project-visit", project.pk)
    panels = project_panels()
    reads = _page_reads(request, project, panels)
    timeline = selectors.timeline(project, since=previous_visit, user=request.user,
                                  reads=reads["timeline"])
    today = timezone.localdate()
    content = [_content_section(project, key, spec, today)
               for key, spec in CONTENT_KINDS.items()]
    overdue = {row["obj"].pk for section in content if section["key"] == "milestones"
               for row in section["rows"] if row["overdue"]}
    costs = next(s["objects"] for s in content if s["key"] == "costs")
    context = {
        "project": project, "may_edit": may_edit(request.user, project),
        "previous_visit": previous_visit, "timeline": timeline,
        "new_count": sum(1 for e in timeline if e.is_new),
        "content": content, "overdue": overdue, "today": today,
        "adopters": reads["adopters"],
        # What the apps above projects add to the page (the benefits panel: gevinst), given
        # the rows the page has read already so they are not read twice.
        "panels": [{"template": panel.template,
                    "context": panel.context(project, request.user,
                                             loaded={"costs": costs,
                                                     **reads["panels"][panel.name]})}
                   for panel in panels],
        "panel_stylesheets": [p.stylesheet for p in panels if p.stylesheet],
        "my_organisations": set(member_organisation_ids(request.user)),
        **_decision_context(request, project, decision_form, timeline=timeline,
                            checklist_read=reads["checklist"]),
    }
    if context["new_count"]:
        # "n changes since your last visit": the next visit, with the same data, has none.
        page_cache.do_not_store(request)
    return render(request, "projects/detail.html", context, status=status)


@page_cache.replay("project-visit")
def _visit_again(request: HttpRequest, pk: int) -> None:
    """A cached project page is a visit too (the next one counts its changes from now)."""
    services.project_visit_record(user=request.user, project=Project(pk=pk))


def _page_reads(request: HttpRequest, project, panels) -> dict:
    """What the project page shows beyond the project itself, read in one round trip on
    PostgreSQL (portal.prefetch) so the page's query count does not grow with what it shows:
    the content tables and the panels' relations into the project's prefetch cache; the
    timeline, the adopters, the gate checklist and the panels' own reads (ProjectPanel.reads)
    returned as querysets that are read already (elsewhere, read when used)."""
    reads = {"timeline": selectors.timeline_reads(project),
             "adopters": selectors.adopters_of(project),
             "checklist": checklist_items(project)
             if project.initiative.phase in PROJECT_PHASES else None,
             "panels": {panel.name: panel.reads(project, request.user) if panel.reads else {}
                        for panel in panels}}
    prefetch_together(
        project, [*(_related(spec) for spec in CONTENT_KINDS.values()),
                  *(name for panel in panels for name in panel.related)],
        follow={"participants": "organisation"},
        also=[*reads["timeline"], reads["adopters"],
              *([reads["checklist"]] if reads["checklist"] is not None else []),
              *(qs for panel in reads["panels"].values() for qs in panel.values())])
    return reads


def _related(spec) -> str:
    return spec.model._meta.get_field("project").remote_field.related_name


def _cell(obj, name: str):
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display else getattr(obj, name)
    if isinstance(value, Decimal):
        return number_text(value, 0)  # whole kroner, grouped as the language writes them
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return "–" if value in (None, "") else value


def _content_section(project, key: str, spec, today) -> dict:
    """One content table of the project page: headers and display values per row (overdue
    milestones flagged as of `today`, ProjectMilestone.is_overdue), from the rows prefetched
    with the page (participants with their organisation)."""
    rows = list(getattr(project, _related(spec)).all())
    headers = [spec.model._meta.get_field(f).verbose_name for f in spec.fields]
    if key == "risks":
        headers.append(_("Risikotall"))
    out = []
    for obj in rows:
        cells = [_cell(obj, f) for f in spec.fields]
        if key == "risks":
            cells.append(obj.score)
        out.append({"obj": obj, "cells": cells, "overdue": key == "milestones"
                    and obj.is_overdue(today)})
    return {"key": key, "spec": spec, "headers": headers, "rows": out, "objects": rows}


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, write=True)
    form = ProjectForm(request.POST or None, project=project)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project,
                                    version=form.cleaned_data["version"],
                                    **form.service_fields())
        except ConflictError:
            # The form's is_valid() wrote the typed values on `project`: read it afresh.
            conflict = edit_conflict(form, get_project_for_user(request.user, pk, write=True))
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Prosjektet er oppdatert."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/edit.html", {"form": form, "project": project,
                                                  "conflict": conflict},
                  status=409 if conflict is not None else 400 if form.errors else 200)


@login_required
@require_POST
def project_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A gate decision, step back, park, resume or stop from the project page."""
    project = get_project_for_user(request.user, pk)
    if not is_member(request.user, project) or not may_decide(request.user, project):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.project_transition(
                actor=request.user, project=project, to_phase=data["to_phase"],
                effective_date=data["effective_date"], rationale=data["rationale"],
                stop_reason=data["stop_reason"], lesson_learned=data["lesson_learned"],
                expected_phase=data["expected_phase"])
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("projects:detail", pk=pk)
        except DomainError as error:
            for field, errors in (error.errors or {None: [error.message]}).items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Beslutningen er registrert: %(phase)s.")
                             % {"phase": Phase(data["to_phase"]).label})
            return redirect("projects:detail", pk=pk)
    project.initiative.refresh_from_db()
    targets = selectors.allowed_targets(project, selectors.phase_before_special(project)
                                        if project.initiative.phase == Phase.PARKED else None)
    form.fields["to_phase"].choices = targets or form.fields["to_phase"].choices
    return _project_page(request, pk, decision_form=form, status=400)


@login_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, write=True)
    item = get_object_or_404(GateChecklistItem, pk=item_pk,
                             organisation_id=project.organisation_id)
    try:
        services.checklist_tick(actor=request.user, project=project, item=item,
                                done=request.POST.get("done") == "1")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{project_url(pk)}#gate")


def project_url(pk: int) -> str:
    return reverse("projects:detail", args=[pk])


def _content_kind(kind: str):
    spec = CONTENT_KINDS.get(kind)
    if spec is None:
        raise Http404
    return spec


@login_required
def content_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    spec = _content_kind(kind)
    project = get_project_for_user(request.user, pk, write=True)
    form = content_form_class(kind, project)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_item_add(actor=request.user, project=project, kind=kind,
                                      data=form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Lagret."))
            return redirect(f"{project_url(pk)}#{kind}")
    return render(request, "projects/content_form.html",
                  {"form": form, "project": project, "spec": spec, "kind": kind},
                  status=400 if form.errors else 200)


def _form_errors(form, error: DomainError) -> None:
    if not error.errors:
        form.add_error(None, error.message)
    for field, errors in error.errors.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
def content_edit(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    spec = _content_kind(kind)
    project = get_project_for_user(request.user, pk, write=True)
    instance = spec.model.objects.filter(pk=item_pk, project=project).first()
    if instance is None and request.method != "POST":
        raise Http404
    form = content_form_class(kind, project)(request.POST or None, instance=instance)
    conflict = None
    if request.method == "POST" and form.is_valid() and instance is None:
        # Removed while this editor typed: keep the text and offer to add it again.
        conflict = edit_conflict(form, None)
    elif request.method == "POST" and form.is_valid():
        try:
            services.project_item_update(actor=request.user, project=project, kind=kind,
                                         instance=instance, data=form.cleaned_data,
                                         expected_version=form.cleaned_data["version"])
        except ConflictError:
            saved = spec.model.objects.filter(pk=item_pk, project=project).first()
            conflict = edit_conflict(form, saved,
                                     version=lambda row: item_version(kind, row))
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Lagret."))
            return redirect(f"{project_url(pk)}#{kind}")
    return render(request, "projects/content_form.html",
                  {"form": form, "project": project, "spec": spec, "kind": kind,
                   "instance": instance, "conflict": conflict},
                  status=409 if conflict else 400 if form.errors else 200)


@login_required
@require_POST
def content_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    spec = _content_kind(kind)
    project = get_project_for_user(request.user, pk, write=True)
    instance = get_object_or_404(spec.model, pk=item_pk, project=project)
    services.project_item_remove(actor=request.user, project=project, kind=kind,
                                 instance=instance)
    messages.success(request, _("Fjernet."))
    return redirect(f"{project_url(pk)}#{kind}")


@login_required
@require_POST
def project_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    origin = get_project_for_user(request.user, pk)
    organisations = organisations_where(request.user, Capability.DECIDE_GATES)
    if not organisations.exists():
        raise PermissionDenied
    form = AdoptForm(request.POST, organisations=organisations)
    if not form.is_valid():
        messages.error(request, _("Velg organisasjon og startfase."))
        return redirect("projects:catalogue-detail", pk=pk)
    try:
        adopted = services.project_adopt(
            actor=request.user, origin=origin, organisation=form.cleaned_data["organisation"],
            start_phase=form.cleaned_data["start_phase"],
            rationale=form.cleaned_data["rationale"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("projects:catalogue-detail", pk=pk)
    messages.success(request, _("Prosjektet er adoptert. Velg prosjektleder og tilpass "
                                "det til dere."))
    return redirect("projects:detail", pk=adopted.pk)


# --- The organisation's gate checklists ---------------------------------------------------

@login_required
def checklists_index(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_where(request.user, Capability.DECIDE_GATES))
    if not organisations:
        raise PermissionDenied
    return redirect("projects:checklists", org_number=organisations[0].org_number)


@login_required
def checklists(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.DECIDE_GATES)
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST":
        # A write: seeds the defaults first if the organisation has none (a GET never does).
        services.checklists_ensure_defaults(organisation)
        action = request.POST.get("action", "add")
        if action in ("update", "retire"):
            item_id = id_or_none(request.POST.get("item"))
            if item_id is None:
                messages.error(request, _("Velg et punkt i sjekklisten."))
                return redirect("projects:checklists", org_number=org_number)
            item = get_object_or_404(GateChecklistItem, organisation=organisation, pk=item_id)
            try:
                if action == "retire":
                    services.checklist_item_retire(actor=request.user, item=item)
                else:
                    services.checklist_item_update(actor=request.user, item=item,
                                                   text=request.POST.get("text", ""))
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Sjekklisten er oppdatert."))
            return redirect("projects:checklists", org_number=org_number)
        if form.is_valid():
            try:
                services.checklist_item_add(actor=request.user, organisation=organisation,
                                            **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Punktet er lagt til."))
                return redirect("projects:checklists", org_number=org_number)
    items = GateChecklistItem.objects.filter(organisation=organisation, is_active=True)
    phases = [{"code": p, "label": Phase(p).label,
               "items": [i for i in items if i.phase == p]} for p in PROJECT_PHASES]
    others = [o for o in organisations_where(request.user, Capability.DECIDE_GATES)
              if o.pk != organisation.pk]
    return render(request, "projects/checklists.html", {
        "organisation": organisation, "phases": phases, "form": form, "others": others,
        "may_manage": user_can(request.user, organisation, Capability.DECIDE_GATES)},
        status=400 if form.errors else 200)
