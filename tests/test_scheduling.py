"""tests/scheduling.py: a file's consecutive tests are one unit of work (one worker builds a
module's world once), and a file's tests that the ordering moved to the end (transactional,
browser) are a unit of their own, so they still run after the ordinary tests. With three
workers or more the last one runs the browser units from the start, and never an ordinary
test (its database is flushed by the first)."""

from types import SimpleNamespace

import pytest

from tests.scheduling import FileRunScheduling, record_database_use, units


def test_consecutive_tests_of_a_file_are_one_unit_and_a_later_run_another():
    order = ["tests/a.py::t1", "tests/a.py::t2", "tests/b.py::Matrix::t1", "tests/b.py::t2",
             "tests/c.py::t1", "tests/a.py::transactional", "tests/browser/d.py::t1"]
    found = units(order)
    assert found["tests/a.py::t1"] == found["tests/a.py::t2"]
    assert found["tests/b.py::Matrix::t1"] == found["tests/b.py::t2"]
    assert found["tests/a.py::transactional"] != found["tests/a.py::t1"]
    # Units keep the collection's order: first seen, first handed out.
    assert list(dict.fromkeys(found[n] for n in order)) == [
        "tests/a.py#1", "tests/b.py#2", "tests/c.py#3", "tests/a.py#4", "tests/browser/d.py#5"]


class FakeConfig:
    """What xdist's scheduler reads of pytest's config."""

    def __init__(self, workers: int, shared):
        self.option = SimpleNamespace(tx=[f"{workers}*popen"], loadscopereorder=True)
        self._tmp_path_factory = SimpleNamespace(getbasetemp=lambda: shared)

    def getvalue(self, name):
        return getattr(self.option, name)


class FakeWorker:
    """A worker that records what it is sent and, on `finish()`, reports it done."""

    def __init__(self, name):
        self.name, self.sent, self.shutting_down = name, [], False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indexes):
        self.sent.append(list(indexes))

    def shutdown(self):
        self.shutting_down = True


# Ordinary units of three tests each, two transactional units, two short browser units: the
# lane is done with the browser tests while ordinary units still wait.
ORDER = [*(f"tests/{name}.py::t{i}" for name in "abcdgh" for i in range(3)),
         "tests/a.py::serialized", "tests/d.py::transactional", "tests/g.py::transactional",
         "tests/browser/e.py::t1", "tests/browser/f.py::t1"]
USES = {nodeid: ("transactional" if "transactional" in nodeid or "browser" in nodeid
                 else "serialized" if "serialized" in nodeid else "ordinary")
        for nodeid in ORDER}
RANK = {"ordinary": 0, "serialized": 1, "transactional": 1}


def _run(workers: int, shared, uses=USES) -> dict[str, list[str]]:
    """Schedule ORDER on fake workers, each finishing its tests one by one, and say which
    node ids each worker ran, in order."""
    if uses is not None:
        record_database_use(shared, "gw0", uses)
    scheduler = FileRunScheduling(FakeConfig(workers, shared))
    nodes = [FakeWorker(f"gw{i}") for i in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
    for node in nodes:
        scheduler.add_node_collection(node, ORDER)
    scheduler.schedule()
    ran = {node.name: [] for node in nodes}
    busy = True
    while busy:  # each worker finishes the first test it holds, in turn
        busy = False
        for node in nodes:
            if node.sent and node.sent[0]:
                index = node.sent[0].pop(0)
                ran[node.name].append(ORDER[index])
                scheduler.mark_test_complete(node, index)
                busy = True
            elif node.sent:
                node.sent.pop(0)
                busy = True
    return ran


def test_every_test_runs_once_and_each_worker_keeps_ordinary_before_transactional(tmp_path):
    for workers in (2, 3):
        ran = _run(workers, tmp_path)
        assert sorted(n for tests in ran.values() for n in tests) == sorted(ORDER)
        for tests in ran.values():
            ranks = [RANK[USES[n]] for n in tests]
            assert ranks == sorted(ranks), (workers, ran)


def test_with_three_workers_the_last_runs_the_browser_tests_first_then_only_plain_flushes(
        tmp_path):
    ran = _run(3, tmp_path)
    assert ran["gw2"][:2] == ["tests/browser/e.py::t1", "tests/browser/f.py::t1"]
    assert ran["gw2"][2:] and all(USES[n] == "transactional" for n in ran["gw2"]), ran
    assert ran["gw0"][0] == "tests/a.py::t0"


def test_without_the_workers_record_the_lane_takes_browser_units_only(tmp_path):
    ran = _run(3, tmp_path, uses=None)
    assert ran["gw2"] and all(n.startswith("tests/browser/") for n in ran["gw2"]), ran
    assert sorted(n for tests in ran.values() for n in tests) == sorted(ORDER)


class FakeItem:
    """What tests/conftest.py reads of a collected test to see how it uses the database."""

    cls = None

    def __init__(self, nodeid, *, marker=None, fixtures=()):
        self.nodeid, self.path = nodeid, nodeid.split("::")[0]
        self.marker, self.fixturenames = marker, list(fixtures)

    def get_closest_marker(self, name):
        return self.marker if name == "django_db" else None


def test_a_files_tests_without_a_database_run_right_after_its_ordinary_tests():
    from tests.conftest import _database_use, _files_stay_together

    transactional = pytest.mark.django_db(transaction=True).mark
    serialized = pytest.mark.django_db(transaction=True, serialized_rollback=True).mark
    items = [FakeItem("a.py::db1", fixtures=["db"]), FakeItem("a.py::db2", fixtures=["db"]),
             FakeItem("b.py::db", marker=pytest.mark.django_db.mark),
             FakeItem("a.py::flush", marker=transactional),
             FakeItem("b.py::restore", marker=serialized),
             FakeItem("a.py::pure"), FakeItem("b.py::pure"), FakeItem("c.py::pure")]
    assert [_database_use(item) for item in items] == [
        "ordinary", "ordinary", "ordinary", "transactional", "serialized", "none", "none", "none"]
    _files_stay_together(items)
    assert [item.nodeid for item in items] == [
        "a.py::db1", "a.py::db2", "a.py::pure", "b.py::db", "b.py::pure", "a.py::flush",
        "b.py::restore", "c.py::pure"]
