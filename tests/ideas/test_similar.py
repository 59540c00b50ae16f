"""Duplicate detection at intake: similar ideas and projects of the own organisation and those
shared with it, never a confidential idea of another, never an anonymous submitter's name.
Runs on SQLite (word overlap) and, with DATABASE_URL, on PostgreSQL (full-text search)."""

import itertools

import pytest
from django.urls import reverse

from ideas import selectors, services
from tests.factories import UserFactory
from tests.ideas.factories import make_idea

TITLE = "Digitalt nattilsyn med sensorer i hjemmetjenesten"
NEED = "Nattlige tilsynsbesøk vekker brukerne og tar mye tid for nattpatruljen."


def test_near_identical_idea_is_found(employee, manager, home_org):
    existing = make_idea(employee, home_org, title=TITLE, need=NEED, status="submitted")
    make_idea(employee, home_org, title="Matombringing til hjemmeboende",
              need="Middag leveres kald", status="submitted")
    found = selectors.similar_ideas(user=manager,
                                    text="Digitalt nattilsyn med sensor i hjemmetjenesten "
                                         "nattlige tilsynsbesøk vekker brukere")
    assert found[0] == existing and len(found) == 1


def test_shared_and_public_ideas_are_found_but_not_confidential_ones(
        employee, home_org, other_org, outsider, network):
    shared = make_idea(employee, home_org, title=TITLE, need=NEED, status="submitted",
                       visibility="network")
    secret = make_idea(employee, home_org, title=TITLE + " (patent)", need=NEED,
                       status="submitted", is_confidential=True, visibility="network")
    private = make_idea(employee, home_org, title=TITLE + " intern", need=NEED,
                        status="submitted")
    found = selectors.similar_ideas(user=outsider, text=f"{TITLE} {NEED}")
    assert shared in found and secret not in found and private not in found


def test_similar_projects_of_own_and_shared_organisations(employee, coordinator, home_org,
                                                          outsider, network):
    idea = make_idea(employee, home_org, title=TITLE, need=NEED, status="in_review",
                     coordinator=coordinator, visibility="network")
    project = services.idea_approve(actor=coordinator, idea=idea)
    assert selectors.similar_projects(user=coordinator, text=TITLE) == [project]
    assert selectors.similar_projects(user=outsider, text=TITLE) == [project]


def test_other_municipality_without_network_sees_nothing(employee, home_org, outsider):
    make_idea(employee, home_org, title=TITLE, need=NEED, status="submitted",
              visibility="network")
    assert selectors.similar_ideas(user=outsider, text=TITLE) == []


def test_suggestion_partial_hides_anonymous_submitter(client, home_org, manager):
    author = UserFactory(first_name="Hemmelig", last_name="Innsendersen")
    from tests.factories import MembershipFactory

    MembershipFactory(user=author, organisation=home_org)
    make_idea(author, home_org, title=TITLE, need=NEED, status="submitted", is_anonymous=True)
    client.force_login(manager)
    response = client.get(reverse("ideas:similar"), {"title": TITLE, "need": ""})
    page = response.content.decode()
    assert TITLE in page
    assert "Innsendersen" not in page and author.username not in page
    assert "<html" not in page


@pytest.mark.parametrize("text", ["", "og i på"])
def test_nothing_to_search_for_gives_nothing(employee, home_org, text):
    make_idea(employee, home_org, status="submitted")
    assert selectors.similar_ideas(user=employee, text=text) == []


# --- PostgreSQL: full-text and trigram indexes (portal.text_search) --------------------------

postgres_only = pytest.mark.skipif("not __import__('django.db').db.connection.vendor == "
                                   "'postgresql'", reason="PostgreSQL's text search and pg_trgm")


@postgres_only
def test_search_reads_indexes_not_every_row(db):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                    "('ideas_idea', 'projects_project') AND indexdef LIKE '%%USING gin%%'")
        indexes = dict(cur.fetchall())
        cur.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cur.fetchone() == ("pg_trgm",)
    for table in ("ideas_idea", "projects_project"):
        assert "(search_document)" in indexes[f"{table}_search_document_idx"]
        assert "gin_trgm_ops" in indexes[f"{table}_title_trgm_idx"]


@postgres_only
def test_misspelt_title_is_found_by_trigram_similarity(employee, manager, home_org):
    existing = make_idea(employee, home_org, title="Elektroniske dørlåser i hjemmetjenesten",
                         need="Nøkler blir borte.", status="submitted")
    make_idea(employee, home_org, title="Matombringing til hjemmeboende",
              need="Middag leveres kald", status="submitted")
    # No word survives the stemmer unchanged, so only the trigrams of the title find it.
    found = selectors.similar_ideas(user=manager, text="Elektronsike dørlåsr i hjemmetjensten",
                                    title="Elektronsike dørlåsr i hjemmetjensten")
    assert found == [existing]


@postgres_only
def test_half_typed_last_word_is_a_prefix(employee, manager, home_org):
    existing = make_idea(employee, home_org, title="Medisindispenser med påminnelse",
                         need="Feilmedisinering hjemme.", status="submitted")
    found = selectors.similar_ideas(user=manager, text="Medisindisp", title="Medisindisp")
    assert found == [existing]


def test_suggestion_shows_title_organisation_and_status_without_more_queries(
        client, employee, manager, home_org, django_assert_max_num_queries):
    """The fragment reads only what it shows (ideas.selectors IDEA_SHOWN): the title, the
    organisation's name and the status label, each without a query of its own."""
    make_idea(employee, home_org, title=TITLE, need=NEED, status="submitted")
    client.force_login(manager)
    client.get(reverse("ideas:similar"), {"title": TITLE, "need": NEED})
    with django_assert_max_num_queries(5):
        page = client.get(reverse("ideas:similar"), {"title": TITLE, "need": NEED}
                          ).content.decode()
    assert TITLE in page and "(Hjemby kommune, sendt inn)" in page


def test_similar_to_gives_what_the_two_selectors_give(employee, coordinator, manager,
                                                      home_org):
    idea = make_idea(employee, home_org, title=TITLE, need=NEED, status="in_review",
                     coordinator=coordinator)
    project = services.idea_approve(actor=coordinator, idea=idea)
    other = make_idea(employee, home_org, title=TITLE + " på sykehjem", need=NEED,
                      status="submitted")
    text = f"{TITLE} {NEED}"
    ideas, projects = selectors.similar_to(user=manager, text=text, title=TITLE,
                                           exclude=other.pk)
    assert ideas == selectors.similar_ideas(user=manager, text=text, title=TITLE,
                                            exclude=other.pk)
    assert projects == selectors.similar_projects(user=manager, text=text, title=TITLE)
    assert other not in ideas and project in projects


@postgres_only
def test_any_two_words_written_compactly_match_as_every_pair_did(db):
    """portal.text_search._tsquery(pairs=True) is `a & (b | c | d) | b & (c | d) | c & d`:
    the same texts as the OR of every pair (the last word a prefix), with fewer lookups."""
    from itertools import combinations

    from django.db import connection

    from portal.text_search import CONFIG, _tsquery

    words = ["alarm", "robot", "sensor", "dør"]
    every_pair = " | ".join(f"({a} & {b})" for a, b in combinations([*words[:-1], "dør:*"], 2))
    texts = [" ".join(chosen) for n in range(len(words) + 1)
             for chosen in combinations([*words[:-1], "dørlås"], n)]
    with connection.cursor() as cur:
        for text in texts:
            cur.execute("SELECT to_tsvector(%s::regconfig, %s) @@ to_tsquery(%s::regconfig, %s),"
                        " to_tsvector(%s::regconfig, %s) @@ to_tsquery(%s::regconfig, %s)",
                        [CONFIG, text, CONFIG, _tsquery(words, pairs=True),
                         CONFIG, text, CONFIG, every_pair])
            compact, pairs = cur.fetchone()
            assert compact == pairs == (len(text.split()) >= 2), text


@postgres_only
def test_the_candidate_bound_counts_only_rows_the_user_may_see(
        employee, manager, home_org, other_org, outsider, monkeypatch):
    """The candidates are read in the user's scope: rows of other organisations matching
    first never use up the bound (portal.text_search.TEXT_MATCHES)."""
    from portal import text_search

    for _ in range(3):  # read first (in heap order), each visible to the outsider alone
        make_idea(outsider, other_org, title=TITLE, need=NEED, status="submitted")
    make_idea(outsider, other_org, title=TITLE, need=NEED, status="submitted",
              is_confidential=True, visibility="public")
    mine = make_idea(employee, home_org, title="Tilsyn", need=NEED, status="submitted")
    monkeypatch.setattr(text_search, "TEXT_MATCHES", 2)
    # No title typed: no trigram fallback to find it another way.
    assert selectors.similar_ideas(user=manager, text=NEED, title="") == [mine]


def _previous_rank_similar(queryset, words, title, limit):
    """The suggestion as it was ranked before one statement read it (four queries): the
    reference the statement must agree with wherever the bounds do not cut."""
    import itertools

    from django.db.models import BooleanField, FloatField
    from django.db.models.expressions import RawSQL

    table = queryset.model._meta.db_table
    doc, column = f'"{table}"."search_document"', f'"{table}"."title"'
    terms = [*words[:-1], f"{words[-1]}:*"]
    pairs = (" | ".join(terms) if len(terms) == 1 else
             " | ".join(f"({a} & {b})" for a, b in itertools.combinations(terms, 2)))
    match = RawSQL(f"{doc} @@ to_tsquery('norwegian', %s)", [pairs],
                   output_field=BooleanField())
    ids = set(queryset.filter(match).values_list("pk", flat=True)[:300])
    if title.strip() and len(ids) < limit:
        similar = RawSQL(f"{column} %% %s", [title], output_field=BooleanField())
        ids.update(queryset.filter(similar).values_list("pk", flat=True)[:100])
    rank = RawSQL(f"ts_rank({doc}, to_tsquery('norwegian', %s)) + similarity({column}, %s)",
                  [" | ".join(terms), title], output_field=FloatField())
    return list(queryset.filter(pk__in=ids).annotate(rank=rank)
                .order_by("-rank", "-id")[:limit])


@postgres_only
@pytest.mark.parametrize("title, need", [
    (TITLE, NEED),                                     # many shared words
    ("Digitalt nattilsyn", ""),                        # two words
    ("Sensor", ""),                                    # one word, a prefix
    ("Elektronsike dørlåsr i hjemmetjensten", ""),     # misspelt: the trigram fallback
    ("Nattilsyn med dørlåsr", "Nøkler blir borte"),    # a word or two, and the fallback
    ("Kvantedatamaskin", "Arkivet er tregt"),          # nothing alike
])
def test_the_statement_ranks_as_the_previous_queries_did(
        employee, coordinator, manager, home_org, other_org, outsider, network, title, need):
    needs = [NEED, "Nøkler blir borte og dører står åpne om natten.", "Middag leveres kald."]
    titles = [TITLE, "Digitalt nattilsyn i omsorgsboliger", "Sensor i døren",
              "Elektroniske dørlåser i hjemmetjenesten", "Nattilsyn med kamera",
              "Matombringing til hjemmeboende", "Sensorbasert fallvarsling"]
    for i, (t, n) in enumerate(itertools.product(titles, needs)):
        author, org = (employee, home_org) if i % 3 else (outsider, other_org)
        make_idea(author, org, title=t, need=n, status="submitted",
                  visibility="network" if i % 2 else "organisation",
                  is_confidential=i % 5 == 0)
    for t in titles[:4]:
        idea = make_idea(employee, home_org, title=t, need=needs[0], status="in_review",
                         coordinator=coordinator)
        services.idea_approve(actor=coordinator, idea=idea)
    text = f"{title} {need}"
    words = selectors._words(text)
    ideas, projects = selectors.similar_to(user=manager, text=text, title=title)
    assert ideas == _previous_rank_similar(selectors._idea_scope(manager, None), words,
                                           title, 5)
    assert projects == _previous_rank_similar(
        selectors.projects_visible_to(manager), words, title, 5)
    for user in (manager, outsider):  # and never a row outside the user's scope
        ideas, projects = selectors.similar_to(user=user, text=text, title=title)
        assert set(ideas) <= set(selectors._idea_scope(user, None))
        assert set(projects) <= set(selectors.projects_visible_to(user))


@postgres_only
def test_one_round_trip_and_one_more_for_the_trigram_fallback(
        employee, manager, home_org, django_assert_num_queries):
    for i in range(5):
        make_idea(employee, home_org, title=f"{TITLE} {i}", need=NEED, status="submitted")
    with django_assert_num_queries(1):  # five ideas share the words; projects: none
        selectors.similar_to(user=manager, text=f"{TITLE} {NEED}", title="")
    with django_assert_num_queries(2):  # fewer than five projects: their titles are asked
        ideas, _projects = selectors.similar_to(user=manager, text=f"{TITLE} {NEED}",
                                                title=TITLE)
    assert len(ideas) == 5


@postgres_only
def test_a_scope_that_holds_no_row_suggests_nothing(employee, home_org, django_assert_num_queries):
    from ideas.models import Idea
    from portal.text_search import rank_similar

    make_idea(employee, home_org, title=TITLE, need=NEED, status="submitted")
    with django_assert_num_queries(0):  # as Django sends none for an empty IN list
        assert rank_similar([(Idea.objects.none(), selectors.IDEA_SHOWN)],
                            selectors._words(TITLE), TITLE, 5) == [[]]
