"""Duplicate detection at intake: similar ideas and projects of the own organisation and those
shared with it, never a confidential idea of another, never an anonymous submitter's name.
Runs on SQLite (word overlap) and, with DATABASE_URL, on PostgreSQL (full-text search)."""

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
