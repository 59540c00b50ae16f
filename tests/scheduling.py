"""How xdist shares the tests between the workers (dev.py passes `--dist loadscope`).

A module that builds a world once (tests/worlds.py) or runs a sweep over one discovery must
have its tests on one worker, or each worker that gets some of them builds it again (with
`--dist load` the ideas permission matrix ran 267 tests on one worker and 42 on the other, and
the input sweep's discovery ran twice). And on each worker the transactional tests, whose flush
empties the database, must still run after the others, as pytest-django orders them.

So a unit of work is a run of consecutive tests of one file in the collection's order: a
file's ordinary tests are one unit, its transactional (or browser) tests, which pytest-django
and tests/conftest.py move to the end, another. Units go to the workers in that order, not
largest first (xdist's reordering would put transactional units before ordinary ones)."""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling


def units(nodeids: list[str]) -> dict[str, str]:
    """Each node id's unit: its file and the number of the run of that file it is in."""
    found, run, previous = {}, 0, None
    for nodeid in nodeids:
        path = nodeid.split("::", 1)[0]
        if path != previous:
            run, previous = run + 1, path
        found[nodeid] = f"{path}#{run}"
    return found


class FileRunScheduling(LoadScopeScheduling):
    _units: dict[str, str] = {}

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            self._units = units(list(next(iter(self.registered_collections.values()))))
        self.config.option.loadscopereorder = False
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self._units.get(nodeid) or nodeid.split("::", 1)[0]
