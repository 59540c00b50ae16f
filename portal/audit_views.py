"""The administrator's audit page for their organisation and its export (portal.audit)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.access import get_organisation_for_user
from portal.audit import AuditFilterForm, AuditKind, audit_columns, audit_queryset, audit_rows
from portal.exports import ExportRequestError, ExportSpec, export_view
from portal.paging import capped_page
from portal.roles import Capability

PAGE_SIZE = 50


def _filtered(request: HttpRequest, org_number: str):
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    form = AuditFilterForm(request.GET, organisation=organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    kind = filters.get("kind") or AuditKind.CHANGES
    queryset = audit_queryset(organisation, kind=kind, user=filters.get("user"),
                              since=filters.get("since"), until=filters.get("until"))
    return organisation, form, kind, queryset


@login_required
@require_safe
def org_audit(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation, form, kind, queryset = _filtered(request, org_number)
    page = capped_page(queryset, request.GET.get("page"), PAGE_SIZE)
    rows = list(audit_rows(kind, page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/org_audit.html", {
        "organisation": organisation, "form": form, "page": page, "rows": rows, "kind": kind,
        "kind_label": dict(AuditKind.choices)[kind], "query": query.urlencode(),
    }, status=400 if form.errors else 200)


@login_required
@require_safe
@export_view(ExportSpec())
def org_audit_export(request: HttpRequest, org_number: str) -> HttpResponse:
    organisation, form, kind, queryset = _filtered(request, org_number)
    if form.errors:
        raise ExportRequestError(" ".join(str(m) for errors in form.errors.values()
                                          for m in errors))
    title = f"{_('Revisjonslogg')} – {dict(AuditKind.choices)[kind]}"
    return request.export.response(
        audit_columns(), audit_rows(kind, queryset.iterator(chunk_size=500)),
        filename=f"revisjonslogg-{organisation.org_number}-{kind}", title=str(title))
