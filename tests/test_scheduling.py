"""tests/scheduling.py: a file's consecutive tests are one unit of work (one worker builds a
module's world once), and a file's tests that the ordering moved to the end (transactional,
browser) are a unit of their own, so they still run after the ordinary tests."""

from tests.scheduling import units


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
