"""portal.paging: lists count at most COUNT_CAP rows, so a page costs the same whatever the
size of the list; shorter lists are paged exactly as Django's Paginator pages them."""

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Organisation
from portal.paging import capped_page
from tests.factories import OrganisationFactory


def _orgs(n):
    for _ in range(n):
        OrganisationFactory()
    return Organisation.objects.order_by("pk")


def test_short_list_is_paged_exactly_like_django(db):
    orgs = _orgs(12)
    for raw in (None, "1", "2", "3", "99", "x", "-4"):
        mine = capped_page(orgs, raw, 5, cap=20)
        theirs = Paginator(orgs, 5).get_page(raw)
        assert list(mine.object_list) == list(theirs.object_list), raw
        assert (mine.number, mine.has_next(), mine.has_previous()) == (
            theirs.number, theirs.has_next(), theirs.has_previous())
        assert (mine.paginator.count, mine.paginator.num_pages) == (12, 3)
        assert not mine.paginator.capped and mine.paginator.count_label == 12


def test_long_list_stops_counting_at_the_cap_and_pages_on(db):
    orgs = _orgs(12)
    first = capped_page(orgs, "1", 2, cap=5)
    assert first.paginator.capped and first.paginator.num_pages is None
    assert first.paginator.count_label == 5
    assert first.has_next() and not first.has_previous()
    # Past the cap, page by page to the end: the last page knows it is the last.
    fifth = capped_page(orgs, "6", 2, cap=5)
    assert list(fifth.object_list) == list(orgs[10:12])
    assert not fifth.has_next() and fifth.previous_page_number() == 5
    # A stale link past the end shows the last page, as Paginator.get_page does.
    stale = capped_page(orgs, "40", 2, cap=5)
    assert stale.number == 6 and list(stale.object_list) == list(orgs[10:12])


def test_a_page_is_two_queries_and_the_count_is_bounded(db):
    orgs = _orgs(8)
    with CaptureQueriesContext(connection) as captured:
        page = capped_page(orgs, "2", 3, cap=4)
    assert len(captured.captured_queries) == 2
    count_sql = captured.captured_queries[0]["sql"]
    assert "COUNT(" in count_sql.upper() and "LIMIT 5" in count_sql.upper()
    assert [o.pk for o in page.object_list] == [o.pk for o in orgs[3:6]]


def test_keys_first_pages_the_same_rows_in_the_same_two_queries(db):
    """keys_first chooses the page's keys in a subquery and reads those rows with their
    annotations: the same pages, order and next/previous as the plain read, still 2 queries."""
    from django.db.models import Value

    _orgs(9)
    orgs = Organisation.objects.annotate(mark=Value(7)).order_by("-name", "-pk")
    for raw in ("1", "2", "3", "99"):
        plain = capped_page(orgs, raw, 4, cap=20)
        with CaptureQueriesContext(connection) as captured:
            keyed = capped_page(orgs, raw, 4, cap=20, keys_first=True)
        assert len(captured.captured_queries) == 2
        assert [o.pk for o in keyed.object_list] == [o.pk for o in plain.object_list], raw
        assert all(o.mark == 7 for o in keyed.object_list)
        assert (keyed.number, keyed.has_next(), keyed.has_previous()) == (
            plain.number, plain.has_next(), plain.has_previous())
    # Stale link past the end of a capped list: the last page, as without keys_first.
    stale = capped_page(orgs, "40", 2, cap=5, keys_first=True)
    assert stale.number == 5 and [o.pk for o in stale.object_list] == [o.pk for o in orgs[8:9]]


def test_past_the_end_of_a_long_list_the_rows_are_read_once(db):
    """A crafted ?page=99999 on a capped list read rows at that offset (a scan of the whole
    list), then counted, then read the last page (a second scan). Now: the bounded count, the
    full count, and the last page's rows; a page within the cap is still two queries."""
    orgs = _orgs(12)
    for raw, number in (("99999", 6), ("-3", 6), ("7", 6)):
        with CaptureQueriesContext(connection) as captured:
            page = capped_page(orgs, raw, 2, cap=5)
        reads = [q["sql"] for q in captured.captured_queries]
        assert len(reads) == 3 and sum("COUNT(" in sql.upper() for sql in reads) == 2, raw
        assert page.number == number and list(page.object_list) == list(orgs[10:12])
    with CaptureQueriesContext(connection) as captured:
        page = capped_page(orgs, "3", 2, cap=5)
    assert len(captured.captured_queries) == 2 and list(page.object_list) == list(orgs[4:6])


def test_the_api_paginator_pages_as_django_and_reads_the_keys_first(db):
    """portal.api.pagination.KeysFirstPaginator: every page, count and number as Django's
    Paginator gives them, each page one query that chooses its keys in a subquery."""
    from django.core.paginator import InvalidPage
    from django.db.models import Value

    from portal.api.pagination import KeysFirstPaginator

    _orgs(11)
    orgs = Organisation.objects.annotate(mark=Value(7)).order_by("-name", "-pk")
    for per_page, orphans in ((4, 0), (5, 1), (11, 0), (20, 0)):
        mine, theirs = KeysFirstPaginator(orgs, per_page, orphans), Paginator(orgs, per_page,
                                                                              orphans)
        assert (mine.count, mine.num_pages) == (theirs.count, theirs.num_pages)
        for number in theirs.page_range:
            with CaptureQueriesContext(connection) as captured:
                page = mine.page(number)
            assert len(captured.captured_queries) == 1
            assert " IN (SELECT" in captured.captured_queries[0]["sql"].upper().replace(
                "= ANY(ARRAY(SELECT", " IN (SELECT")
            expected = theirs.page(number)
            assert [o.pk for o in page] == [o.pk for o in expected], (per_page, number)
            assert all(o.mark == 7 for o in page)
            assert (page.has_next(), page.start_index(), page.end_index()) == (
                expected.has_next(), expected.start_index(), expected.end_index())
        try:
            mine.page(theirs.num_pages + 1)
        except InvalidPage:
            pass
        else:
            raise AssertionError("a page past the end must be refused as Django refuses it")
    assert list(KeysFirstPaginator([1, 2, 3], 2).page(2)) == [3]  # not a queryset: as Django


def test_a_first_page_that_holds_the_whole_list_is_one_query(db):
    """A search or a narrow filter usually fits on its first page: its rows are its count, so
    the count is not asked (a search that finds nothing read every row twice). A longer list
    reads its first page and then the bounded count, as before."""
    orgs = _orgs(7)
    for per_page, expected_queries in ((7, 1), (10, 1), (6, 2)):
        with CaptureQueriesContext(connection) as captured:
            page = capped_page(orgs, "1", per_page, cap=20)
        theirs = Paginator(orgs, per_page).get_page("1")
        assert len(captured.captured_queries) == expected_queries, per_page
        assert list(page.object_list) == list(theirs.object_list)
        assert (page.paginator.count, page.paginator.num_pages, page.has_next()) == (
            7, theirs.paginator.num_pages, theirs.has_next())
    with CaptureQueriesContext(connection) as captured:
        empty = capped_page(orgs.filter(pk=-1), "1", 5, cap=20)
    assert len(captured.captured_queries) == 1 and empty.paginator.count == 0
    assert list(empty.object_list) == [] and not empty.has_next()
