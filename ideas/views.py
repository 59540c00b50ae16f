from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideas import services
from ideas.access import get_idea_for_user, ideas_visible_to, may_see_submitter
from ideas.forms import IdeaForm, RejectForm
from ideas.models import IdeaStatus
from portal.access import organisations_where, user_can
from portal.errors import DomainError
from portal.roles import Capability
from portal.views import form_error


def _list(request: HttpRequest, ideas, *, title: str, template="ideas/list.html"):
    status = request.GET.get("status", "")
    text = request.GET.get("q", "").strip()
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    if text:
        ideas = ideas.filter(Q(title__icontains=text) | Q(need__icontains=text))
    ideas = ideas.select_related("organisation", "unit").order_by("-updated_at", "-id")
    page = Paginator(ideas, 25).get_page(request.GET.get("page"))
    context = {"page": page, "title": title, "status": status, "q": text,
               "statuses": IdeaStatus.choices}
    if request.htmx:
        return render(request, "ideas/_rows.html", context)
    return render(request, template, context)


@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    return _list(request, ideas_visible_to(request.user), title=_("Idéer"))


@login_required
def idea_queue(request: HttpRequest) -> HttpResponse:
    """The coordinator's work queue: ideas waiting for screening."""
    orgs = organisations_where(request.user, Capability.SCREEN_IDEAS)
    if not orgs.exists():
        raise PermissionDenied
    waiting = ideas_visible_to(request.user).filter(
        organisation__in=orgs, status__in=[IdeaStatus.SUBMITTED, IdeaStatus.IN_REVIEW])
    return _list(request, waiting, title=_("Idéer til vurdering"))


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_where(request.user, Capability.SUBMIT_IDEA))
    if not organisations:
        raise PermissionDenied
    organisation = organisations[0]
    form = IdeaForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("title", "need")}
        try:
            idea = services.idea_create(actor=request.user, organisation=organisation,
                                        title=form.cleaned_data["title"],
                                        need=form.cleaned_data["need"], **data)
            if "submit" in request.POST:
                services.idea_submit(actor=request.user, idea=idea)
                messages.success(request, _("Takk! Idéen er sendt inn til vurdering."))
            else:
                messages.success(request, _("Utkastet er lagret. Du kan sende det inn senere."))
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect("ideas:detail", pk=idea.pk)
    return render(request, "ideas/form.html", {"form": form, "organisation": organisation},
                  status=400 if form.errors else 200)


@login_required
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    can_screen = user_can(request.user, idea.organisation_id, Capability.SCREEN_IDEAS)
    return render(request, "ideas/detail.html", {
        "idea": idea, "can_screen": can_screen,
        "show_submitter": may_see_submitter(request.user, idea),
        "events": idea.events.select_related("actor")[:50],
        "reject_form": RejectForm(),
        "project": getattr(idea.initiative, "project", None)
        if idea.status == IdeaStatus.APPROVED else None,
    })


ACTIONS = {
    "submit": lambda user, idea, post: services.idea_submit(actor=user, idea=idea),
    "review": lambda user, idea, post: services.idea_start_review(actor=user, idea=idea),
    "approve": lambda user, idea, post: services.idea_approve(actor=user, idea=idea),
    "reject": lambda user, idea, post: services.idea_reject(actor=user, idea=idea,
                                                            reason=post.get("reason", "")),
    "park": lambda user, idea, post: services.idea_park(actor=user, idea=idea),
    "resume": lambda user, idea, post: services.idea_resume(actor=user, idea=idea),
}


@login_required
@require_POST
def idea_transition(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Ukjent handling."))
        return redirect("ideas:detail", pk=pk)
    try:
        action(request.user, idea, request.POST)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Idéen er oppdatert."))
    return redirect("ideas:detail", pk=pk)
