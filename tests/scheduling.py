"""How xdist shares the tests between the workers (dev.py passes `--dist loadscope`).

A module that builds a world once (tests/worlds.py) or runs a sweep over one discovery must
have its tests on one worker, or each worker that gets some of them builds it again (with
`--dist load` the ideas permission matrix ran 267 tests on one worker and 42 on the other, and
the input sweep's discovery ran twice). And on each worker the transactional tests, whose flush
empties the database, must still run after the others, as pytest-django orders them.

So a unit of work is a run of consecutive tests of one file in the collection's order: a
file's ordinary tests are one unit, its transactional (or browser) tests, which pytest-django
and tests/conftest.py move to the end, another. Units go to the workers in that order, not
largest first (xdist's reordering would put transactional units before ordinary ones).

The browser tests mostly wait: a test, the live server and Chromium take turns, so two of
them keep a core about half busy (a serial run of tests/browser/test_everyday.py: 32 s of
wall clock for 23 s of CPU, PostgreSQL included). Run last on every worker, they left the
machine idle for a third of the run's final minute and a half. So with three or more workers
(dev.py starts one more than the cores) and browser tests in the run, the last worker is the
browser lane: it takes the browser units from the start, alongside the others' CPU-bound
units, and after them only units of plain transactional tests or tests without a database.
Its database sees a flush first, so it must never run an ordinary test, nor one that restores
the serialized database (serialized_rollback: its content types would clash with those the
flush recreated). Which units those are the workers say: each writes how
every test uses the database (`record_database_use`) next to its temporary directory, which
the controller's scheduler reads. The other workers take units front to back as before, the
browser units too once theirs run out, so neither side waits for the other at the end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from xdist.scheduler import LoadScopeScheduling

BROWSER = "tests/browser/"
USE_FILES = "database-use-*.json"


def units(nodeids: list[str]) -> dict[str, str]:
    """Each node id's unit: its file and the number of the run of that file it is in."""
    found, run, previous = {}, 0, None
    for nodeid in nodeids:
        path = nodeid.split("::", 1)[0]
        if path != previous:
            run, previous = run + 1, path
        found[nodeid] = f"{path}#{run}"
    return found


def is_browser_unit(unit: str) -> bool:
    return unit.startswith(BROWSER)


def record_database_use(shared: Path, worker: str, uses: dict[str, str]) -> None:
    """A worker's {node id: "ordinary" | "transactional" | "none"}, for the scheduler."""
    partial = shared / f".{worker}.json"
    partial.write_text(json.dumps(uses))
    os.replace(partial, shared / USE_FILES.replace("*", worker))


def units_barred_from_the_lane(shared: Path, unit_of: dict[str, str]) -> set[str] | None:
    """The units holding an ordinary or a serialized-rollback test, from the first worker's
    record (None without one: then the lane takes browser units only)."""
    for path in sorted(shared.glob(USE_FILES)):
        uses = json.loads(path.read_text())
        return {unit_of.get(nodeid, nodeid) for nodeid, use in uses.items()
                if use in ("ordinary", "serialized")}
    return None


class FileRunScheduling(LoadScopeScheduling):
    _units: dict[str, str] = {}
    _lane = None  # the worker that takes the browser units first (see the module docstring)
    _barred: set[str] | None = None

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            self._units = units(list(next(iter(self.registered_collections.values()))))
            if len(self.nodes) >= 3 and any(map(is_browser_unit, self._units.values())):
                self._lane = self.nodes[-1]
                self._barred = units_barred_from_the_lane(
                    self.config._tmp_path_factory.getbasetemp(), self._units)
        self.config.option.loadscopereorder = False
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self._units.get(nodeid) or nodeid.split("::", 1)[0]

    def _assign_work_unit(self, node) -> None:
        if node is not self._lane:
            return super()._assign_work_unit(node)
        allowed = [unit for unit in self.workqueue
                   if (unit not in self._barred if self._barred is not None
                       else is_browser_unit(unit))]
        unit = next((unit for unit in allowed if is_browser_unit(unit)),
                    allowed[0] if allowed else None)
        if unit is None:  # nothing left that the lane may run
            node.shutdown()
            return None
        self.workqueue.move_to_end(unit, last=False)
        return super()._assign_work_unit(node)
