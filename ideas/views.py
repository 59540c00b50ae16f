"""HTML pages for ideas. Every write calls one service; every read goes through ideas.access or
ideas.selectors. Forms post back to plain URLs, so everything works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from ideas import selectors, services
from ideas.access import (
    comment_may_delete,
    comment_may_edit,
    get_idea_for_user,
    may_attach,
    may_edit,
    may_score,
    may_see_comment_author,
    may_see_submitter,
)
from ideas.filters import LIST_DEFAULTS, list_filter
from ideas.forms import (
    AssignForm,
    AttachmentForm,
    CommentForm,
    IdeaForm,
    MergeForm,
    RejectForm,
    ScoreForm,
)
from ideas.models import Attachment, Comment, IdeaStatus, Score
from portal.access import member_by_pk, membership_for, organisations_where, user_can
from portal.errors import DomainError, Forbidden
from portal.page_cache import cached_page
from portal.paging import capped_page
from portal.params import ParameterError, id_or_none, parse_id
from portal.roles import Capability
from portal.views import form_error
from projects.access import projects_visible_to

PAGE_SIZE = 25


def _paged_list(request: HttpRequest, ideas, *, template: str, context: dict,
                defaults: dict | None = None) -> HttpResponse:
    filterset = list_filter(request, ideas, defaults)
    ideas = filterset.qs if filterset.is_bound and filterset.is_valid() else ideas
    # Support and comment counts for the page's rows only (portal.paging.page_rows).
    page = capped_page(ideas, request.GET.get("page"), PAGE_SIZE, keys_first=True)
    query = request.GET.copy()
    query.pop("page", None)
    context = {**context, "page": page, "filter": filterset, "query": query.urlencode()}
    if request.htmx and request.htmx.target == "idea-rows":
        return render(request, "ideas/_rows.html", context)
    return render(request, template, context)


@login_required
@require_safe
@cached_page
def idea_list(request: HttpRequest) -> HttpResponse:
    return _paged_list(request, selectors.idea_list(user=request.user),
                       template="ideas/list.html", context={
                           "title": _("Idéer"),
                           "has_assignments": request.user.idea_assignments.exists(),
                       }, defaults=LIST_DEFAULTS)


def _project_of(user, idea):
    """The project the idea became, with whether the reader may open it (a partner
    municipality may read a shared idea whose project stays in its organisation)."""
    if idea.status != IdeaStatus.APPROVED:
        return None
    project = getattr(idea.initiative, "project", None)
    if project is not None:
        project.reader_may_open = projects_visible_to(user).filter(pk=project.pk).exists()
    return project


QUEUE_TABS = {
    "screening": (_("Til vurdering"), selectors.screening_queue),
    "assigned": (_("Tildelt meg"), selectors.assigned_to),
    "unscored": (_("Ikke vurdert av meg"), selectors.not_scored_by),
}


@login_required
@require_safe
def idea_queue(request: HttpRequest) -> HttpResponse:
    """The work queue: coordinators see what waits for screening; reviewers what is assigned
    to them and what they have not scored yet."""
    screens = organisations_where(request.user, Capability.SCREEN_IDEAS).exists()
    reviews = request.user.idea_assignments.exists()
    if not screens and not reviews:
        raise PermissionDenied
    tabs = [key for key in QUEUE_TABS if key != "screening" or screens]
    tab = request.GET.get("tab") or ("screening" if screens else "unscored")
    if tab not in tabs:
        raise Http404
    label, selector = QUEUE_TABS[tab]
    return _paged_list(request, selector(user=request.user), template="ideas/queue.html",
                       context={"title": _("Vurdering"), "tab": tab, "tab_label": label,
                                "tabs": [(k, QUEUE_TABS[k][0]) for k in tabs]})


def _submit_organisation(request: HttpRequest):
    organisations = list(organisations_where(request.user, Capability.SUBMIT_IDEA))
    if not organisations:
        raise PermissionDenied
    wanted = request.GET.get("org") or request.POST.get("org")
    chosen = next((o for o in organisations if o.org_number == wanted), organisations[0])
    return chosen, organisations


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    organisation, organisations = _submit_organisation(request)
    form = IdeaForm(request.POST or None, request.FILES or None, organisation=organisation,
                    submitting="submit" in request.POST)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        upload = form.cleaned_data.get("attachment")
        try:
            # One idea, its attachment and its submission: all or nothing.
            idea = services.idea_capture(actor=request.user, organisation=organisation,
                                         submit="submit" in request.POST,
                                         attachment=upload or None, **data)
        except DomainError as error:
            form_error(form, error if error.field != "file" else DomainError(
                error.message, field="attachment"))
        else:
            if idea.status == IdeaStatus.SUBMITTED:
                messages.success(request, _("Takk! Idéen er sendt inn til vurdering."))
            else:
                messages.success(request, _("Utkastet er lagret. Du kan sende det inn senere."))
            return redirect("ideas:detail", pk=idea.pk)
    upload = request.FILES.get("attachment")
    if form.errors and upload is not None and "attachment" not in form.errors:
        # A browser never refills a file input: say so beside it rather than lose it quietly.
        form.fields["attachment"].not_kept = upload.name
    similar: dict = {}
    if request.method == "POST":  # without JavaScript: suggestions after a failed post
        text = f"{request.POST.get('title', '')} {request.POST.get('need', '')}"[:2000]
        ideas, projects = selectors.similar_to(user=request.user, text=text)
        similar = {"similar_ideas": ideas, "similar_projects": projects}
    return render(request, "ideas/form.html", {
        "form": form, "organisation": organisation, "organisations": organisations,
        "creating": True, **similar,
    }, status=400 if form.errors else 200)


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if not may_edit(request.user, idea):
        raise PermissionDenied
    form = IdeaForm(request.POST or None, instance=idea, organisation=idea.organisation,
                    with_attachment=False)
    if idea.submitter_id != request.user.pk:
        del form.fields["is_anonymous"]  # the submitter's choice alone (ideas.services)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(actor=request.user, idea=idea, **form.service_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Idéen er oppdatert."))
            return redirect("ideas:detail", pk=idea.pk)
    return render(request, "ideas/form.html", {"form": form, "idea": idea,
                                               "organisation": idea.organisation},
                  status=400 if form.errors else 200)


def _comment_rows(request, idea):
    rows = []
    for comment in idea.comments.select_related("author", "moved_from"):
        shown = may_see_comment_author(request.user, comment, idea)
        rows.append({"comment": comment,
                     "author": comment.author if shown else _("Innsenderen"),
                     "may_edit": comment_may_edit(request.user, comment),
                     "may_delete": comment_may_delete(request.user, comment, idea)})
    return rows


@login_required
@require_safe
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    can_screen = user_can(request.user, idea.organisation_id, Capability.SCREEN_IDEAS)
    is_member = membership_for(request.user, idea.organisation_id) is not None
    context = {
        "idea": idea, "can_screen": can_screen,
        "show_submitter": may_see_submitter(request.user, idea),
        "may_edit": may_edit(request.user, idea),
        "may_attach": may_attach(request.user, idea),
        "events": idea.events.select_related("actor")[:100],
        "comments": _comment_rows(request, idea),
        "attachments": idea.attachments.all(),
        "support_count": idea.supports.count(),
        "supports": idea.supports.filter(user=request.user).exists(),
        "follows": idea.follows.filter(user=request.user).exists(),
        "comment_form": CommentForm(), "attachment_form": AttachmentForm(),
        "reject_form": RejectForm(),
        "project": _project_of(request.user, idea),
        # «Slått sammen fra»: the ideas merged into this one that the reader may see.
        "merged_from": selectors.merged_from(user=request.user, idea=idea),
        "tags": idea.tags.all(),
        # The survivor of a merge may be narrower than this idea (the merge rule): its
        # title is shown only to those who may read it (the API's rule too).
        "merged_into_visible": selectors.survivor_shown(user=request.user, idea=idea),
    }
    if idea.status in (IdeaStatus.DRAFT, IdeaStatus.SUBMITTED, IdeaStatus.IN_REVIEW):
        text = f"{idea.title} {idea.need}"
        context["similar_ideas"], context["similar_projects"] = selectors.similar_to(
            user=request.user, text=text, exclude=idea.pk)
    if is_member:
        criteria = selectors.criteria_of(idea.organisation_id)  # a read: seeds nothing
        context["summary"] = selectors.score_summary(idea, criteria)
        if may_score(request.user, idea):
            mine = dict(Score.objects.filter(idea=idea, reviewer=request.user)
                        .values_list("criterion_id", "value"))
            context["score_form"] = ScoreForm(criteria=criteria, initial_scores=mine)
    if can_screen:
        context["assignments"] = idea.assignments.select_related("reviewer")
        context["assign_form"] = AssignForm(idea=idea)
        context["merge_form"] = MergeForm(idea=idea)
        context["scores"] = selectors.scores_of(idea)
    return render(request, "ideas/detail.html", context)


ACTIONS = {
    "submit": lambda user, idea, post: services.idea_submit(actor=user, idea=idea),
    "review": lambda user, idea, post: services.idea_start_review(actor=user, idea=idea),
    "approve": lambda user, idea, post: services.idea_approve(actor=user, idea=idea),
    "reject": lambda user, idea, post: services.idea_reject(actor=user, idea=idea,
                                                            reason=post.get("reason", "")),
    "park": lambda user, idea, post: services.idea_park(actor=user, idea=idea),
    "resume": lambda user, idea, post: services.idea_resume(actor=user, idea=idea),
    "merge": lambda user, idea, post: services.idea_merge(
        actor=user, idea=idea, into=get_idea_for_user(user, _int(post.get("into")))),
}


def _int(value) -> int:
    """An id from a form field; a missing or garbled one is bad input (a message on the idea
    page), not a missing page."""
    try:
        return parse_id(value, name="into")
    except ParameterError:
        raise DomainError(_("Velg idéen den skal slås sammen med."), field="into") from None


def _run(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    """Run one service for a POST from the idea page and go back to it with a message.
    A member without the right gets 403, as from the access helper (docs/architecture.md)."""
    try:
        action()
    except Forbidden as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("ideas:detail", pk=pk)


@login_required
@require_POST
def idea_transition(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Ukjent handling."))
        return redirect("ideas:detail", pk=pk)
    return _run(request, pk, lambda: action(request.user, idea, request.POST),
                _("Idéen er oppdatert."))


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if request.POST.get("support") == "0":
        return _run(request, pk, lambda: services.idea_unsupport(actor=request.user, idea=idea),
                    _("Støtten er trukket."))
    return _run(request, pk, lambda: services.idea_support(actor=request.user, idea=idea),
                _("Takk for støtten!"))


@login_required
@require_POST
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if request.POST.get("follow") == "0":
        return _run(request, pk, lambda: services.idea_unfollow(actor=request.user, idea=idea),
                    _("Du følger ikke lenger idéen."))
    return _run(request, pk, lambda: services.idea_follow(actor=request.user, idea=idea),
                _("Du følger idéen og får beskjed når status endres."))


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    return _run(request, pk, lambda: services.comment_add(
        actor=request.user, idea=idea, body=request.POST.get("body", "")),
        _("Kommentaren er publisert."))


def _comment_for(request, pk: int, comment_pk: int) -> Comment:
    idea = get_idea_for_user(request.user, pk)
    return get_object_or_404(Comment, pk=comment_pk, idea=idea)


@login_required
def comment_edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _comment_for(request, pk, comment_pk)
    if not comment_may_edit(request.user, comment):
        raise PermissionDenied
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(actor=request.user, comment=comment,
                                  body=form.cleaned_data["body"])
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect("ideas:detail", pk=pk)
    return render(request, "ideas/comment_edit.html", {"form": form, "comment": comment,
                                                       "idea": comment.idea})


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _comment_for(request, pk, comment_pk)
    return _run(request, pk, lambda: services.comment_delete(actor=request.user,
                                                             comment=comment),
                _("Kommentaren er slettet."))


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Velg en fil å laste opp."))
        return redirect("ideas:detail", pk=pk)
    return _run(request, pk, lambda: services.attachment_add(
        actor=request.user, idea=idea, upload=form.cleaned_data["file"]),
        _("Vedlegget er lagt til."))


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Only through here: the access helper decides, and the browser is told to save the file
    rather than render it (no uploaded HTML or SVG ever runs in our origin)."""
    idea = get_idea_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, idea=idea)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, idea=idea)
    return _run(request, pk, lambda: services.attachment_remove(actor=request.user,
                                                                attachment=attachment),
                _("Vedlegget er fjernet."))


@login_required
@require_POST
def reviewer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk, capability=Capability.SCREEN_IDEAS)
    raw = id_or_none(request.POST.get("reviewer"))
    if raw is None:  # a form without a reviewer (or a garbled one) is bad input, not a 404
        messages.error(request, _("Velg en vurderer."))
        return redirect("ideas:detail", pk=pk)
    try:
        # Members of the idea's organisation only: anyone else is unknown, whether or not
        # the id exists.
        reviewer = member_by_pk(idea.organisation_id, raw, field="reviewer")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("ideas:detail", pk=pk)
    if request.POST.get("remove") == "1":
        return _run(request, pk, lambda: services.reviewer_unassign(
            actor=request.user, idea=idea, reviewer=reviewer), _("Vurdereren er fjernet."))
    return _run(request, pk, lambda: services.reviewer_assign(
        actor=request.user, idea=idea, reviewer=reviewer),
        _("%(name)s er tildelt som vurderer.") % {"name": reviewer})


@login_required
@require_POST
def idea_score(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if membership_for(request.user, idea.organisation_id) is None:
        raise PermissionDenied
    criteria = services.criteria_ensure_defaults(idea.organisation_id)
    form = ScoreForm(request.POST, criteria=criteria)
    if not form.is_valid() or not form.values():
        messages.error(request, _("Velg poeng for minst ett kriterium."))
        return redirect("ideas:detail", pk=pk)
    return _run(request, pk, lambda: services.scores_set(actor=request.user, idea=idea,
                                                         values=form.values()),
                _("Vurderingen er lagret."))


@login_required
@require_GET
def idea_similar(request: HttpRequest) -> HttpResponse:
    """The htmx partial of similar ideas and projects while a new idea is typed."""
    title = request.GET.get("title", "")[:200]
    text = f"{title} {request.GET.get('need', '')}"[:2000]
    exclude = request.GET.get("exclude")
    ideas, projects = selectors.similar_to(user=request.user, text=text, title=title,
                                           exclude=id_or_none(exclude))
    # Rendered without the request: the fragment shows no header, so the context processors
    # (the navigation's memberships query among them) have nothing to give it.
    return HttpResponse(render_to_string("ideas/_similar.html", {
        "similar_ideas": ideas, "similar_projects": projects, "searched": bool(text.strip()),
    }))
