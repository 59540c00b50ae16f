"""What a list page shows, read the way a person reads it: for comparing a list with its
download (tests/ideas/test_exports.py, tests/projects/test_exports.py)."""

from __future__ import annotations

import html
import re

# The first cell of a list row: the link to the object, its title as text.
ROW_TITLE = re.compile(r'<td><a class="ds-link" href="/(?:ideas|projects)/\d+/">([^<]*)</a>')


def list_titles(client, path: str, query: dict) -> list[str]:
    """The titles in the list's rows on every page (the pager's next page until there is
    none), sorted."""
    titles, page = [], 1
    while True:
        body = client.get(path, {**query, "page": page}).content.decode()
        titles += [html.unescape(title) for title in ROW_TITLE.findall(body)]
        if f"page={page + 1}" not in body:
            return sorted(titles)
        page += 1
