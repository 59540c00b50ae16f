"""The phase rules of docs/domain.md as data: which moves exist between phases, and what kind each
is. The gate-decision service, the idea services and the exchange import all ask here.

Allowed: one step forward; concept → implementation on the fast track; one step back (with a
rationale); any active phase → parked or stopped; parked → the phase it was parked from. An
idea is approved (→ concept, or pilot on the fast track), rejected, merged or parked."""

from __future__ import annotations

from enum import StrEnum

from initiatives.models import ORDERED_PHASES, Phase, Track

ORDER = {p: i for i, p in enumerate(ORDERED_PHASES)}
PROJECT_PHASES = ORDERED_PHASES[1:]  # concept … spread: where projects live
TERMINAL = frozenset({Phase.STOPPED, Phase.REJECTED, Phase.MERGED})


class Move(StrEnum):
    FORWARD = "forward"
    FAST_TRACK = "fast_track"
    BACK = "back"
    PARK = "park"
    RESUME = "resume"
    STOP = "stop"
    APPROVE = "approve"
    REJECT = "reject"
    MERGE = "merge"


class InvalidMove(ValueError):
    """The move is not in docs/domain.md's table; the message says why (English, for logs/paths)."""


def classify(current: str, target: str, *, track: str, parked_from: str | None = None) -> Move:
    """The kind of the move current → target, or InvalidMove."""
    if current in TERMINAL:
        raise InvalidMove(f"no change is allowed after {current}")
    if current == Phase.PARKED:
        if target != parked_from:
            raise InvalidMove(f"a parked initiative resumes in {parked_from}, not {target}")
        return Move.RESUME
    if target == current:
        raise InvalidMove(f"already in {target}")
    if current == Phase.IDEA:
        if target == Phase.CONCEPT or (target == Phase.PILOT and track == Track.FAST_TRACK):
            return Move.APPROVE
        moves = {Phase.REJECTED: Move.REJECT, Phase.MERGED: Move.MERGE, Phase.PARKED: Move.PARK}
        if target in moves:
            return moves[target]
        raise InvalidMove(f"an idea moves to concept (pilot on the fast track), not {target}")
    if current not in ORDER:
        raise InvalidMove(f"unknown phase {current}")
    if target == Phase.PARKED:
        return Move.PARK
    if target == Phase.STOPPED:
        return Move.STOP
    if target in (Phase.REJECTED, Phase.MERGED):
        raise InvalidMove(f"only ideas are {target}")
    if target not in ORDER:
        raise InvalidMove(f"unknown phase {target}")
    step = ORDER[target] - ORDER[current]
    if step == 1:
        return Move.FORWARD
    if step == -1 and target != Phase.IDEA:
        return Move.BACK
    if current == Phase.CONCEPT and target == Phase.IMPLEMENTATION and track == Track.FAST_TRACK:
        return Move.FAST_TRACK
    if target == Phase.IDEA:
        raise InvalidMove("a project cannot go back to idea")
    raise InvalidMove(f"{current} → {target} skips phases")

