"""Writes for projects. One function per state change (docs/architecture.md "State changes"),
split by subject."""

from projects.services.adoption import project_adopt
from projects.services.checklists import (
    checklist_item_add,
    checklist_item_retire,
    checklist_item_update,
    checklist_tick,
    checklists_ensure_defaults,
)
from projects.services.content import (
    CONTENT_KINDS,
    item_version,
    project_item_add,
    project_item_remove,
    project_item_update,
    project_update,
    project_visit_record,
)
from projects.services.gates import project_create_from_idea, project_transition

__all__ = [
    "CONTENT_KINDS", "checklist_item_add", "checklist_item_retire", "checklist_item_update",
    "checklist_tick", "checklists_ensure_defaults", "item_version", "project_adopt",
    "project_create_from_idea",
    "project_item_add", "project_item_remove", "project_item_update", "project_transition",
    "project_update", "project_visit_record",
]
