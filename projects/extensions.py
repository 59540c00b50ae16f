"""What the apps above projects add to the project page and to the project export.

projects may not import the apps that build on it (gevinst's benefits, ideas): each of them
registers here, in its AppConfig.ready(), the panel it adds to the project page or the columns
it adds to the project export, and projects shows whatever is registered. The dependency is
explicit (the registering app imports projects), and one-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from portal.exports import Column

# Where registered export columns go: after the project's own column of this name.
EXPORT_SLOTS = ("leader", "funding")


@dataclass(frozen=True)
class ProjectPanel:
    """A panel of the project page: `template` is included with `panel` set to
    `context(project, user, loaded=...)`, where `loaded` holds rows the page has read already
    (today "costs": the project's ProjectCost rows), so a panel need not read them again;
    `stylesheet` (a static path) is linked in the page's head; `related` names the project's
    reverse relations the panel reads (e.g. "map_nodes"), read with the page's own content in
    one round trip (portal.prefetch). `reads(project, user)` names, by key, the querysets
    `context` reads: the page evaluates them in that same round trip (portal.prefetch.
    read_together) and hands them back in `loaded` under those keys, already read."""

    name: str
    template: str
    context: Callable[..., object]
    stylesheet: str = ""
    related: tuple[str, ...] = ()
    reads: Callable[..., dict[str, QuerySet]] | None = None


@dataclass(frozen=True)
class ProjectExportColumns:
    """Columns of the project export after the slot `after` (EXPORT_SLOTS). `annotate` adds
    what they read to the export's queryset (subqueries, so the query count stays constant);
    `columns` builds them (called per export, so labels follow the request's language)."""

    name: str
    after: str
    annotate: Callable[[QuerySet], QuerySet]
    columns: Callable[[], list[Column]]


_panels: dict[str, ProjectPanel] = {}
_export_columns: dict[str, ProjectExportColumns] = {}


def _register(registry: dict, item) -> None:
    known = registry.get(item.name)
    if known is not None and known != item:
        raise ValueError(f"Another extension is registered as {item.name!r}.")
    registry[item.name] = item


def project_panel_register(panel: ProjectPanel) -> None:
    _register(_panels, panel)


def project_export_columns_register(extension: ProjectExportColumns) -> None:
    if extension.after not in EXPORT_SLOTS:
        raise ValueError(f"Unknown export slot {extension.after!r}; one of {EXPORT_SLOTS}.")
    _register(_export_columns, extension)


def project_panels() -> list[ProjectPanel]:
    return list(_panels.values())


def project_export_extensions() -> list[ProjectExportColumns]:
    return list(_export_columns.values())
