"""Campaign pages: the list, creating one (coordinators), and a campaign with its ideas."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ideas import selectors, services
from ideas.access import campaigns_visible_to, get_campaign_for_user
from ideas.forms import CampaignForm
from ideas.models import IdeaStatus
from portal.access import organisations_where
from portal.errors import DomainError
from portal.roles import Capability
from portal.views import form_error


@login_required
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (campaigns_visible_to(request.user).select_related("organisation")
                 # Drafts are nobody's business but their author's (and match the
                 # campaign page, which counts what the reader may see).
                 .annotate(idea_count=Count("ideas", filter=~Q(ideas__status=IdeaStatus.DRAFT)))
                 .order_by("-opens_on", "-id"))
    return render(request, "ideas/campaign_list.html", {
        "campaigns": campaigns, "today": timezone.localdate(),
        "can_create": organisations_where(request.user, Capability.SCREEN_IDEAS).exists(),
    })


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_where(request.user, Capability.SCREEN_IDEAS))
    if not organisations:
        raise PermissionDenied
    organisation = next((o for o in organisations
                         if o.org_number == request.GET.get("org")), organisations[0])
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, organisation=organisation,
                                                **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Kampanjen er opprettet."))
            return redirect("ideas:campaign", pk=campaign.pk)
    return render(request, "ideas/campaign_form.html", {"form": form,
                                                        "organisation": organisation},
                  status=400 if form.errors else 200)


@login_required
@require_safe
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    counts = selectors.campaign_status_counts(user=request.user, campaign=campaign)
    ideas = selectors.idea_list(user=request.user).filter(campaign=campaign)
    page = Paginator(ideas, 25).get_page(request.GET.get("page"))
    return render(request, "ideas/campaign_detail.html", {
        "campaign": campaign, "page": page, "query": "",
        "counts": [(IdeaStatus(s).label, n) for s, n in counts.items()],
        "total": sum(counts.values()),
        "is_open": campaign.is_open_on(timezone.localdate()),
    })
