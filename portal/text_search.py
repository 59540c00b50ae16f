"""Full-text and trigram search over a table's title and need, for the similar-ideas
suggestion at intake (ideas.selectors.similar_ideas / similar_projects).

On PostgreSQL a table gets a stored generated column `search_document` (the Norwegian
text-search vector of the title, weight A, and the need, weight B) with a GIN index, and a
GIN trigram index (pg_trgm) on the title. The column exists only on PostgreSQL (added by
the migrations ideas 0006 and projects 0009), so no model declares it; the queries here name it.
Without the index every suggestion built the vector of every visible row while the user
typed (national data: 240 ms); with it a suggestion reads the matching rows off the indexes.

A row matches when it shares two of the typed words with the text (stemmed; the last word,
still being typed, as a prefix) — or one, when only one was typed — or, when fewer rows than
asked for match so, when its title is trigram-similar to the typed title (misspellings the
stemmer does not catch). Matches are
ranked by ts_rank plus the trigram similarity of the titles, among a bounded set of
candidates (TEXT_MATCHES, SIMILAR_TITLES)."""

from __future__ import annotations

import itertools

from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

CONFIG = "norwegian"


def _tsquery(words: list[str], *, pairs: bool) -> str:
    """A to_tsquery string of the words (only \\w characters, so nothing to escape); the last
    word as a prefix. pairs=True: any two of the words (any one if only one)."""
    terms = [*words[:-1], f"{words[-1]}:*"]
    if not pairs or len(terms) == 1:
        return " | ".join(terms)
    return " | ".join(f"({a} & {b})" for a, b in itertools.combinations(terms, 2))


# How many candidates each index hands to the ranking: full-text matches, and (when those are
# too few) trigram-similar titles, each read off its GIN index in no particular order. With
# thousands of rows sharing two words of the need (national data: 37 000 projects), ranking
# them all would cost what the index saved; the ranking is exact within the candidates, and
# the bound keeps a suggestion's cost flat however many rows match.
TEXT_MATCHES = 300
SIMILAR_TITLES = 100


def rank_similar(queryset: QuerySet, words: list[str], title: str, limit: int) -> list:
    """PostgreSQL: the `limit` best candidates of `queryset` (a scoped queryset whose base
    table has a search_document column) for the typed words and title. Three queries: the
    candidates of each index, then the ranking of those candidates alone. (The raw SQL names
    the base table, so each runs as a query of its own, never as a subquery.)"""
    table = queryset.model._meta.db_table
    doc = f'"{table}"."search_document"'
    column = f'"{table}"."title"'
    match = RawSQL(f"{doc} @@ to_tsquery(%s::regconfig, %s)",
                   [CONFIG, _tsquery(words, pairs=True)], output_field=BooleanField())
    ids = set(queryset.filter(match).order_by().values_list("pk", flat=True)[:TEXT_MATCHES])
    if title.strip() and len(ids) < limit:
        # Too few rows share the words (misspelt, or words the stemmer does not join): look
        # for titles that are trigram-similar to the typed one.
        similar_title = RawSQL(f"{column} %% %s", [title], output_field=BooleanField())
        ids.update(queryset.filter(similar_title).order_by().values_list("pk", flat=True)
                   [:SIMILAR_TITLES])
    if not ids:
        return []
    rank = RawSQL(f"ts_rank({doc}, to_tsquery(%s::regconfig, %s)) + similarity({column}, %s)",
                  [CONFIG, _tsquery(words, pairs=False), title], output_field=FloatField())
    # The candidates met the match (or the title's similarity) in the same scope when they
    # were read: the ranking does not test the pairs query (66 pairs for a typical text) on
    # its up to 400 rows again.
    return list(queryset.filter(pk__in=sorted(ids)).annotate(rank=rank)
                .order_by("-rank", "-id")[:limit])
