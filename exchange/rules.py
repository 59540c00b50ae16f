"""docs/domain.md's phase rules applied to a whole history, as the exchange import needs them.

A history is a list of (phase, date) in recorded order. The same moves as the gate decision
service allows: one step forward; concept → implementation on the fast track; one step back;
any active phase → parked or stopped; parked → the phase it was parked from; an idea may be
approved (→ concept, or pilot on the fast track), rejected, merged or parked."""

from __future__ import annotations

import datetime

from initiatives.models import ORDERED_PHASES
from portal.dates import HAPPENED, import_date_error
from projects.phases import ORDER, InvalidMove, classify

FIRST_PHASES = ("idea", "concept", "pilot")
ALL_PHASES = (*ORDERED_PHASES, "parked", "stopped", "rejected", "merged")


def move_error(current: str, target: str, track: str, parked_from: str | None) -> str | None:
    """Why current → target is not allowed, or None when it is (projects.phases decides)."""
    try:
        classify(current, target, track=track, parked_from=parked_from)
    except InvalidMove as error:
        return str(error)
    return None


def history_errors(phases: list[tuple[str, datetime.date]], track: str,
                   today: datetime.date) -> list[tuple[int, str, str]]:
    """(index, field, message) for every rule the history breaks."""
    errors = []
    if not phases:
        return [(-1, "", "at least one phase is required")]
    first = phases[0][0]
    if first not in FIRST_PHASES:
        errors.append((0, "phase", f"an initiative starts in idea, concept or pilot, not {first}"))
    current, parked_from, previous_on = first, None, phases[0][1]
    for index, (phase, on) in enumerate(phases):
        problem = import_date_error(on, HAPPENED, today)
        if problem:
            errors.append((index, "on", problem))
        if index == 0:
            continue
        if on < previous_on:
            errors.append((index, "on", "date before previous change"))
        problem = move_error(current, phase, track, parked_from)
        if problem:
            errors.append((index, "phase", problem))
        if phase == "parked":
            parked_from = current
        elif current == "parked":
            parked_from = None
        current, previous_on = phase, on
    return errors


def reached_implementation_on(phases: list[tuple[str, datetime.date]]) -> datetime.date | None:
    """The first date the initiative was in implementation or later (realised assessments are
    allowed from then on)."""
    for phase, on in phases:
        if phase in ORDER and ORDER[phase] >= ORDER["implementation"]:
            return on
    return None
