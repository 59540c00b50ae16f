"""What the system holds about one person ("Mine data", GDPR art. 15 and 20): every app's
sections, in one page and one JSON document. The sections are built by each app's selectors
with the toolkit in portal.personal_data; this module only puts them together."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from exchange import selectors as exchange_selectors
from gevinst import selectors as gevinst_selectors
from ideas import selectors as idea_selectors
from indicators import selectors as indicator_selectors
from notifications import selectors as notification_selectors
from portal.models import User
from portal.personal_data import Section, plain, portal_sections
from projects import selectors as project_selectors

FORMAT = "innoportal-personal-data/1"


def personal_data_sections(user: User) -> list[Section]:
    return [*portal_sections(user), *idea_selectors.personal_data(user),
            *project_selectors.personal_data(user), *gevinst_selectors.personal_data(user),
            *indicator_selectors.personal_data(user), *notification_selectors.personal_data(user),
            *exchange_selectors.personal_data(user)]


def personal_data_document(user: User) -> dict[str, Any]:
    """The JSON export: the same sections as the page, keyed by section and column keys."""
    return {
        "format": FORMAT,
        "exported_at": plain(timezone.now()),
        "user": user.username,
        "sections": {s.key: {"title": s.title, "rows": s.rows}
                     for s in personal_data_sections(user)},
    }
