"""Writes for ideas: one function per state change (docs/architecture.md "State changes").
Split by concern; import from here. Who may do what is decided in ideas.access."""

from ideas.services.attachments import (
                                        attachment_add,
                                        attachment_remove,
                                        attachment_validate,
                                        sanitise_filename,
)
from ideas.services.campaigns import campaign_create
from ideas.services.engagement import (
                                        comment_add,
                                        comment_delete,
                                        comment_edit,
                                        idea_follow,
                                        idea_support,
                                        idea_unfollow,
                                        idea_unsupport,
)
from ideas.services.evaluation import (
                                        criteria_ensure_defaults,
                                        criterion_create,
                                        reviewer_assign,
                                        reviewer_unassign,
                                        score_set,
                                        scores_set,
)
from ideas.services.intake import idea_capture
from ideas.services.status import (
                                        TRANSITIONS,
                                        idea_approve,
                                        idea_create,
                                        idea_merge,
                                        idea_park,
                                        idea_reject,
                                        idea_resume,
                                        idea_start_review,
                                        idea_submit,
                                        idea_update,
)

__all__ = [
    "TRANSITIONS", "attachment_add", "attachment_remove", "attachment_validate",
    "campaign_create", "comment_add", "comment_delete", "comment_edit",
    "criteria_ensure_defaults", "criterion_create", "idea_approve", "idea_capture",
    "idea_create",
    "idea_follow", "idea_merge", "idea_park", "idea_reject", "idea_resume",
    "idea_start_review", "idea_submit", "idea_support", "idea_unfollow", "idea_unsupport",
    "idea_update", "reviewer_assign", "reviewer_unassign",
    "score_set", "scores_set", "sanitise_filename",
]
