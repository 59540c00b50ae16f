"""Full-text and trigram search over a table's title and need, for the similar-ideas
suggestion at intake (ideas.selectors.similar_to).

On PostgreSQL a table gets a stored generated column `search_document` (the Norwegian
text-search vector of the title, weight A, and the need, weight B) with a GIN index, and a
GIN trigram index (pg_trgm) on the title. The column exists only on PostgreSQL (added by
the migrations ideas 0006 and projects 0009), so no model declares it; the queries here name it.
Without the column every suggestion built the vector of every visible row while the user
typed (national data: 240 ms); with it rare words are read off the GIN index and common
ones stop at the first TEXT_MATCHES rows.

A row matches when it shares two of the typed words with the text (stemmed; the last word,
still being typed, as a prefix) — or one, when only one was typed — or, when fewer rows than
asked for match so, when its title is trigram-similar to the typed title (misspellings the
stemmer does not catch). Matches are ranked by ts_rank plus the trigram similarity of the
titles, among a bounded set of candidates (TEXT_MATCHES, SIMILAR_TITLES).

One statement for all the tables asked (rank_similar): per table, the candidates are read and
ranked in a subquery and only the best `limit` rows are joined to what the page shows. The
trigram-similar titles of the tables whose words found fewer than `limit` rows are read in a
second statement (planning the trigram operator alone costs PostgreSQL about 1.5 ms a table,
so the statement that usually suffices does not carry it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db.models import FloatField, QuerySet, TextField
from django.db.models.expressions import RawSQL

from portal.prefetch import read_together

CONFIG = "norwegian"


def _tsquery(words: list[str], *, pairs: bool) -> str:
    """A to_tsquery string of the words (only \\w characters, so nothing to escape); the last
    word as a prefix. pairs=False: any one of the words. pairs=True: any two of them (any one
    if only one), written as `a & (b | c | …) | b & (c | …) | …` — the same rows as the OR of
    every pair, but PostgreSQL tests a row that has none of the words with n−1 lookups, not
    n·(n−1)/2 (national data: the candidate scan in half the time)."""
    terms = [*words[:-1], f"{words[-1]}:*"]
    if not pairs or len(terms) == 1:
        return " | ".join(terms)
    return " | ".join(f"({term} & ({' | '.join(terms[i + 1:])}))"
                      for i, term in enumerate(terms[:-1]))


# How many candidates each index hands to the ranking: full-text matches, and (when those are
# too few) trigram-similar titles, each read in no particular order. With thousands of rows
# sharing two words of the need (national data: 37 000 projects), ranking them all would
# cost what the index saved; the ranking is exact within the candidates, and the bound keeps
# a suggestion's cost flat however many rows match. (On a large table PostgreSQL may start a
# scan where another one is, so which matches these are can differ between two identical
# requests. Taking the newest instead would make it stable, but a word in a few thousand rows
# then has every one of them read off the index and sorted: national data, up to 4 times
# slower.)
TEXT_MATCHES = 300
SIMILAR_TITLES = 100


def _rank(document: str, title: str, words: list[str], typed_title: str) -> tuple[str, list]:
    """How well a row answers the typed text, as SQL over its `document` and `title` columns:
    ts_rank of any typed word plus the trigram similarity of the titles."""
    return (f"ts_rank({document}, to_tsquery(%s::regconfig, %s)) + similarity({title}, %s)",
            [CONFIG, _tsquery(words, pairs=False), typed_title])


def _scope_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """The rows `queryset` may show, as SQL with the columns id, title and document. Its base
    table is unaliased, as in a statement of its own, so the raw column reference holds; the
    statement around it names the columns by position, and PostgreSQL pulls the subquery up
    into it (the planner sees one scan of the table, with every condition)."""
    table = queryset.model._meta.db_table
    document = RawSQL(f'"{table}"."search_document"', [], output_field=TextField())
    rows = queryset.order_by().annotate(document=document).values_list("pk", "title", "document")
    return rows.query.get_compiler(using=queryset.db).as_sql()


def _candidates(scope: str, condition: str, bound: int, rank: str) -> str:
    """SQL: at most `bound` rows of the scope meeting the condition (over s.title and
    s.document), in no particular order, with their rank (over c.title and c.document)
    computed after they are read — the LIMIT stands between, so the ranking never runs on
    more rows than the bound."""
    return (f"SELECT c.id, {rank} FROM (SELECT s.id, s.title, s.document"
            f" FROM ({scope}) AS s (id, title, document) WHERE {condition}"
            f" LIMIT {int(bound)}) AS c")


def _best_ids(queryset: QuerySet, words: list[str], title: str, limit: int, *,
              titles: bool) -> tuple[str, list]:
    """A subquery: the ids of the `limit` best candidates of `queryset` — the rows sharing
    the words, or (titles=True) the trigram-similar titles."""
    scope, scope_params = _scope_sql(queryset)
    rank, rank_params = _rank("c.document", "c.title", words, title)
    if titles:
        sql = _candidates(scope, "s.title %% %s", SIMILAR_TITLES, rank)
        params = [*rank_params, *scope_params, title]
    else:
        sql = _candidates(scope, "s.document @@ to_tsquery(%s::regconfig, %s)", TEXT_MATCHES,
                          rank)
        params = [*rank_params, *scope_params, CONFIG, _tsquery(words, pairs=True)]
    return (f"SELECT id FROM ({sql}) AS candidates (id, rank)"
            f" ORDER BY rank DESC, id DESC LIMIT %s", [*params, limit])


def shown(queryset: QuerySet, fields: Sequence[str]) -> QuerySet:
    """The queryset reading only `fields` of its rows ("organisation__name": through a
    relation, joined): what a suggestion shows, without the long texts of its rows."""
    relations = sorted({name.rsplit("__", 1)[0] for name in fields if "__" in name})
    return queryset.select_related(*relations).only(*fields)


def _best(queryset: QuerySet, fields: Sequence[str], words: list[str], title: str, limit: int,
          *, titles: bool) -> QuerySet:
    """The `limit` best candidates of `queryset`, best first, still unread, with the `fields`
    a suggestion shows. The candidates are read in the queryset's scope, in this same
    statement; the few rows joined to them are not filtered by it again (which would have
    the scope compiled and planned once more)."""
    try:
        best, params = _best_ids(queryset, words, title, limit, titles=titles)
    except EmptyResultSet:  # a scope that can hold no row
        return queryset.none()
    table = queryset.model._meta.db_table
    rank, rank_params = _rank(f'"{table}"."search_document"', f'"{table}"."title"', words, title)
    return (shown(queryset.model._default_manager.all(), fields)
            .filter(pk__in=RawSQL(best, params))
            .annotate(rank=RawSQL(rank, rank_params, output_field=FloatField()))
            .order_by("-rank", "-pk"))


def _ranked(rows: list, limit: int) -> list:
    """The `limit` best of rows read by _best (each with its rank), once each."""
    unique = {row.pk: row for row in rows}
    return sorted(unique.values(), key=lambda row: (-row.rank, -row.pk))[:limit]


def rank_similar(scopes: Sequence[tuple[QuerySet, Sequence[str]]], words: list[str],
                 title: str, limit: int) -> list[list]:
    """PostgreSQL: for each (queryset, fields) of `scopes` — a scoped queryset whose base
    table has a search_document column, and what a suggestion shows of its rows (`shown`) —
    the `limit` best rows for the typed words and title, best first. One round trip for all
    of them (read_together), and one more for the trigram-similar titles of those whose
    words found fewer than `limit` (when a title was typed): the best of both, as if ranked
    together."""
    found = [_best(queryset, fields, words, title, limit, titles=False)
             for queryset, fields in scopes]
    read_together(found)
    found = [list(rows) for rows in found]
    if not title.strip():
        return found
    short = {i: _best(*scopes[i], words, title, limit, titles=True)
             for i, rows in enumerate(found) if len(rows) < limit}
    read_together(short.values())
    return [_ranked([*rows, *short[i]], limit) if i in short else rows
            for i, rows in enumerate(found)]
