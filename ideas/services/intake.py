"""Capturing an idea in one step: the draft, its attachment and, if asked, its submission —
all or nothing. The idea form and the API's create both call idea_capture(), so the rule is
written once."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ideas.models import Idea
from ideas.services.attachments import attachment_add
from ideas.services.status import idea_create, idea_submit
from portal.models import Organisation, User


def idea_capture(*, actor: User, organisation: Organisation, submit: bool = False,
                 attachment: UploadedFile | None = None, **fields) -> Idea:
    """A new idea (idea_create's fields), with an optional attachment, submitted at once when
    `submit`. A refused attachment or submission leaves no draft behind."""
    with transaction.atomic():
        idea = idea_create(actor=actor, organisation=organisation, **fields)
        if attachment is not None:
            attachment_add(actor=actor, idea=idea, upload=attachment)
        if submit:
            idea_submit(actor=actor, idea=idea)
    return idea
