"""Helpers that build ideas through the services, so every row has its events."""

import datetime

from ideas import services
from ideas.models import Campaign

D = datetime.date(2024, 3, 1)


def make_idea(author, org, *, title="Nattilsyn med sensor", need="Mange nattlige tilsynsbesøk "
              "vekker brukere som sover", status="draft", coordinator=None, on=D, **fields):
    """An idea brought to `status` (submitted / in_review need a coordinator for review)."""
    idea = services.idea_create(actor=author, organisation=org, title=title, need=need,
                                **fields)
    if status == "draft":
        return idea
    services.idea_submit(actor=author, idea=idea, effective_date=on, registering_history=True)
    if status == "in_review":
        services.idea_start_review(actor=coordinator, idea=idea)
    idea.refresh_from_db()
    return idea


def make_campaign(org, *, opens_on, closes_on, title="Færre nattlige tilsyn"):
    return Campaign.objects.create(organisation=org, title=title, description="Behov",
                                   opens_on=opens_on, closes_on=closes_on)
