"""Writes for projects. One function per state change (see STYLE.md)."""

import datetime

from django.db import transaction

from portal.models import User
from projects.models import Initiative, Phase, Project, Track
from projects.phase_log import phase_change_record


def project_create_from_idea(*, actor: User, idea, effective_date: datetime.date | None = None,
                             rationale: str = "") -> Project:
    """Called by ideas.services.idea_approve() inside its transaction: the idea's initiative
    moves from `idea` to `concept` (or straight to `pilot` on the fast track) and the project
    starts. The idea's expected benefits become the first expected assessments (gevinst)."""
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=idea.initiative_id)
        start = Phase.PILOT if idea.track == Track.FAST_TRACK else Phase.CONCEPT
        project = Project.objects.create(
            initiative=initiative, organisation_id=idea.organisation_id, unit_id=idea.unit_id,
            title=idea.title, need=idea.need, description=idea.solution or "",
            track=idea.track, welfare_area=idea.welfare_area or "",
            # Confidential ideas never leave the organisation; others keep their visibility.
            visibility="organisation" if idea.is_confidential else idea.visibility,
        )
        phase_change_record(initiative=initiative, to_phase=start, effective_date=effective_date,
                            actor=actor, rationale=rationale)
    return project
