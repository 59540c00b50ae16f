"""The indicator page's long lists (initiatives, adoptions, valued benefits) as HTML.

A large municipality's page shows a hundred initiatives, some hundred adoptions and a hundred
benefits: rendered by the template engine that was some two thousand nodes, each cell a
variable lookup, a filter call and an escape (on Oslo's page ~10 of the template's ~17 ms
CPU; written here, ~2.5 ms). Here each row is one f-string with the markup the template
had, every text escaped as `{{ value }}` escapes it, every figure from
portal.numbers.number_text (the `num` filter's function) and every whole number through
Django's localize (what `{{ n }}` does).

tests/indicators/test_rows.py renders the template markup these replaced beside them and
compares the two byte for byte."""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from indicators.explain import AdoptionLine, BenefitLine, InitiativeLine
from initiatives.models import Phase
from portal.numbers import number_text


def _text(value) -> str:
    """`{{ value }}`: localized, then escaped unless marked safe (a lazy text translated)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(localize(value)))


class _Cells:
    """One list's cells. The language does not change within a list, so the phase labels
    are translated once and a figure already written (the same points on many rows) is
    reused instead of formatted again."""

    def __init__(self):
        self.phases = {phase.value: _text(phase.label) for phase in Phase}
        self._written: dict[tuple, str] = {}

    def figure(self, value, places: int = 2) -> str:
        """`{{ value|num:places }}`."""
        key = (type(value), value, places)  # 2.675 and Decimal(2.675) round apart
        found = self._written.get(key)
        if found is None:
            found = self._written[key] = _text(number_text(value, places))
        return found

    def whole(self, value: int) -> str:
        """`{{ value }}` of a whole number (localized)."""
        key = (type(value), value, None)
        found = self._written.get(key)
        if found is None:
            found = self._written[key] = _text(value)
        return found


def initiative_rows(lines: Iterable[InitiativeLine]) -> SafeString:
    """The rows of «Initiativene bak tallene». Only a line with its own project the reader
    may see links (explain() leaves project_id None otherwise; indicators.views sets
    project_url)."""
    cells, rows = _Cells(), []
    for line in lines:
        title = _text(line.title)
        if line.project_id:
            title = f'<a class="ds-link" href="{_text(line.project_url)}">{title}</a>'
        rows.append(
            f'<tr>\n      <td>{title}</td>\n      <td>{cells.phases[line.phase]}</td>'
            f'<td class="num">{cells.figure(line.points)}</td>'
            f'<td class="num">{cells.whole(line.forward_transitions)}</td>'
            f'<td class="num">{cells.figure(line.benefit_points, 3)}</td>\n    </tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every text and figure is escaped above


def adoption_items(adoptions: Iterable[AdoptionLine]) -> SafeString:
    """The list items of «Adopsjoner som gir poeng»."""
    cells, points = _Cells(), _text(gettext("poeng"))
    items = [f"<li>{_text(a.title)} – {_text(a.organisation)} ({cells.phases[a.phase]}): "
             f"{cells.figure(a.points)} {points}</li>" for a in adoptions]
    return mark_safe("".join(items))  # noqa: S308 - every text and figure is escaped above


def benefit_rows(benefits: Iterable[BenefitLine]) -> SafeString:
    """The rows of «Verdsatte gevinster»; a loss (negative kroner) is marked `negative`."""
    cells, rows = _Cells(), []
    for b in benefits:
        negative = " negative" if b.nok_per_year is not None and b.nok_per_year < 0 else ""
        rows.append(f'<tr><td>{_text(b.title)}</td><td>{_text(b.project_title)}</td>'
                    f'<td class="num">{cells.figure(b.change)}</td>'
                    f'<td class="num{negative}">{cells.figure(b.nok_per_year, 0)}</td></tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every text and figure is escaped above
