"""The accessibility and privacy statements: public pages (anonymous too) and the
administrator's editor (portal.statements)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal import statements
from portal.access import get_organisation_for_user, member_organisation_ids, user_can
from portal.errors import DomainError
from portal.models import Organisation, StatementKind
from portal.roles import Capability
from portal.views import form_error

# The public route names per kind (the footer links and the editor's "view" link use them).
PAGE_ROUTES = {StatementKind.ACCESSIBILITY: "accessibility-statement",
               StatementKind.PRIVACY: "privacy-statement"}
EDIT_ROUTES = {StatementKind.ACCESSIBILITY: "org-accessibility-edit",
               StatementKind.PRIVACY: "org-privacy-edit"}


@require_safe
def statement_index(request: HttpRequest, kind: str) -> HttpResponse:
    """Every organisation's statement of this kind; the reader's own organisations first."""
    organisations = list(Organisation.objects.only("name", "org_number").order_by("name"))
    own = set(member_organisation_ids(request.user))
    return render(request, "portal/statement_index.html", {
        "kind": kind, "title": StatementKind(kind).label, "route": PAGE_ROUTES[kind],
        "own": [o for o in organisations if o.pk in own],
        "organisations": [o for o in organisations if o.pk not in own],
    })


@require_safe
def statement_page(request: HttpRequest, kind: str, org_number: str) -> HttpResponse:
    organisation = Organisation.objects.filter(org_number=org_number).first()
    if organisation is None:
        raise Http404
    text, row = statements.statement_for(organisation, kind)
    return render(request, "portal/statement.html", {
        "organisation": organisation, "kind": kind, "title": StatementKind(kind).label,
        "body": statements.render_statement(text), "row": row,
        "may_edit": user_can(request.user, organisation, Capability.MANAGE_ORGANISATION),
        "edit_route": EDIT_ROUTES[kind],
    })


class StatementForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Tekst"), widget=forms.Textarea(attrs={"rows": 20}),
        max_length=statements.MAX_LENGTH,
        help_text=gettext_lazy("Vanlig tekst. En tom linje skiller avsnitt, en linje som "
                               "begynner med «## » er en overskrift, og linjer som begynner "
                               "med «- » blir en punktliste. HTML vises som tekst."))


@login_required
def org_statement_edit(request: HttpRequest, org_number: str, kind: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org_number,
                                             capability=Capability.MANAGE_ORGANISATION)
    text, row = statements.statement_for(organisation, kind)
    form = StatementForm(request.POST if request.method == "POST" else None,
                         initial={"body": text})
    if request.method == "POST":
        if "reset" in request.POST:
            statements.statement_reset(actor=request.user, organisation=organisation, kind=kind)
            messages.success(request, _("Standardteksten gjelder igjen."))
            return redirect(EDIT_ROUTES[kind], org_number=org_number)
        if form.is_valid():
            try:
                statements.statement_save(actor=request.user, organisation=organisation,
                                          kind=kind, body=form.cleaned_data["body"])
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Erklæringen er lagret."))
                return redirect(EDIT_ROUTES[kind], org_number=org_number)
    return render(request, "portal/org_statement_edit.html", {
        "organisation": organisation, "kind": kind, "title": StatementKind(kind).label,
        "form": form, "row": row, "page_route": PAGE_ROUTES[kind],
        "preview": statements.render_statement(text),
    }, status=400 if form.errors else 200)
