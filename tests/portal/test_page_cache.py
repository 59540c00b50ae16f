"""Pages served from the cache until the data changes (portal.page_cache, keyed on
portal.data_version, read with the session by portal.sessions).

What must hold: a stored page is the same bytes the view renders; any write that commits —
through a service, a queryset update, a bulk insert, raw SQL, a delete — makes the next visit
render afresh; one user's page never reaches another, nor one language's another; messages
waiting to be shown bypass the cache; the version is read before anything the page shows; no
cached page reads a table whose writes leave the version alone (but the project page's visit,
which a hit replays). Every other test in the suite runs with the cache on, so each one that
reads a page after a change checks that it is fresh too."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas.models import Idea
from portal import data_version
from projects.models import Project, ProjectVisit
from projects.services import project_update
from tests.ideas.factories import make_idea
from tests.pages import build_world, page_urls, rendered_visit, without_tokens

POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="the data version is PostgreSQL's")

PAGES = ("ideas", "projects", "project", "dashboard", "indicators", "benefits", "catalogue")
# A page from the cache reads the session with the data version, and the user; the project
# page also records the visit.
HIT_QUERIES = {page: 2 for page in PAGES} | {"project": 3}


@pytest.fixture
def world(home_org, other_org, manager, employee):
    return build_world(home_org, other_org, manager, employee)


def _visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _stored(client, url):
    """Visit until the page is in the cache: the first visit sets the CSRF cookie (and
    records a project page's first visit); returns the visit that stored it."""
    _visit(client, url)
    response = _visit(client, url)
    assert response["X-Page-Cache"] == "miss"
    return response


@postgres_only
@pytest.mark.parametrize("page", PAGES)
def test_a_second_visit_is_served_from_the_cache_as_the_same_bytes(client, world, page):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    url = page_urls(home_org)[page]
    rendered = _stored(client, url)
    with CaptureQueriesContext(connection) as captured:
        served = _visit(client, url)
    assert served["X-Page-Cache"] == "hit"
    assert served.content == rendered.content
    assert len(captured) == HIT_QUERIES[page], [q["sql"][:80] for q in captured]


@postgres_only
def test_the_version_is_read_with_the_session_before_anything_the_page_shows(client, world):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    response, captured = rendered_visit(client, page_urls(home_org)["dashboard"])
    assert response["X-Page-Cache"] == "miss"
    reads = [q["sql"] for q in captured if data_version.TABLE in q["sql"]]
    assert reads == [captured[0]["sql"]] and "django_session" in reads[0]


@postgres_only
@pytest.mark.parametrize("page", PAGES)
def test_no_cached_page_reads_a_table_whose_writes_leave_the_version(client, world, page):
    """Such a table could change without a new version: a stored page would go stale."""
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    _response, captured = rendered_visit(client, page_urls(home_org)[page])
    replayed = {ProjectVisit._meta.db_table} if page == "project" else set()
    unversioned = data_version.unversioned() - {"django_session"} - replayed
    sql = [q["sql"] for q in captured]
    # The session's own query reads the session table and the version.
    assert "django_session" in sql[0] and not any("django_session" in s for s in sql[1:])
    assert not [(table, s[:120]) for s in sql for table in unversioned if f'"{table}"' in s
                or f" {table} " in s]


@postgres_only
@pytest.mark.parametrize("write", ["service", "update", "bulk", "raw", "delete"])
def test_any_committed_write_makes_the_next_visit_render_afresh(client, world, write):
    home_org, _other, manager, employee = world
    client.force_login(manager)
    url = reverse("ideas:list")
    _stored(client, url)
    assert _visit(client, url)["X-Page-Cache"] == "hit"
    idea = Idea.objects.filter(organisation=home_org).order_by("pk").first()
    if write == "service":
        make_idea(employee, home_org, title="Skrevet gjennom tjenesten", status="submitted")
        expected, absent = "Skrevet gjennom tjenesten", None
    elif write == "update":
        Idea.objects.filter(pk=idea.pk).update(title="Endret uten signal")
        expected, absent = "Endret uten signal", idea.title
    elif write == "bulk":
        old, idea.title = idea.title, "Massevis endret"
        Idea.objects.bulk_update([idea], ["title"])
        expected, absent = "Massevis endret", old
    elif write == "raw":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Idea._meta.db_table} SET title = %s WHERE id = %s",
                           ["Endret med SQL", idea.pk])
        expected, absent = "Endret med SQL", idea.title
    else:
        title = idea.title
        Idea.objects.filter(pk=idea.pk).delete()
        expected, absent = None, title
    after = _visit(client, url)
    assert after["X-Page-Cache"] == "miss"
    html = after.content.decode()
    assert expected is None or expected in html
    assert absent is None or absent not in html


@postgres_only
def test_one_users_page_never_reaches_another(client, world):
    home_org, _other, manager, employee = world
    url = reverse("ideas:list")
    client.force_login(manager)
    _stored(client, url)
    theirs = Client()
    theirs.force_login(employee)
    _visit(theirs, url)
    mine = _visit(theirs, url)
    assert mine["X-Page-Cache"] == "miss"
    assert employee.get_full_name() in mine.content.decode()
    assert manager.get_full_name() not in mine.content.decode()


@postgres_only
def test_each_language_has_its_own_page(client, world):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    url = reverse("ideas:list")
    assert 'lang="nb"' in _stored(client, url).content.decode()
    manager.language = "nn"
    manager.save(update_fields=["language"])
    nynorsk = _visit(client, url)
    assert 'lang="nn"' in nynorsk.content.decode()
    assert _visit(client, url)["X-Page-Cache"] == "hit"


@postgres_only
def test_each_host_has_its_own_page(client, world, settings):
    """Absolute links name the host the page was asked on."""
    settings.ALLOWED_HOSTS = ["testserver", "innoportal.kommune.no"]
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    url = reverse("ideas:list")
    _stored(client, url)
    elsewhere = client.get(url, HTTP_HOST="innoportal.kommune.no")
    assert elsewhere.status_code == 200 and elsewhere["X-Page-Cache"] == "miss"


@postgres_only
def test_a_message_waiting_to_be_shown_is_shown_on_a_cached_page(client, world):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    url = reverse("ideas:list")
    _stored(client, url)
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode(
        [Message(constants.SUCCESS, "Idéen er lagret")])
    shown = _visit(client, url)
    assert "Idéen er lagret" in shown.content.decode()
    assert not shown.has_header("X-Page-Cache")
    again = _visit(client, url)  # shown once: the stored page, without it
    assert again["X-Page-Cache"] == "hit" and "Idéen er lagret" not in again.content.decode()


@postgres_only
def test_a_form_on_a_page_from_the_cache_still_posts(world):
    """The stored page carries a token of the session's CSRF secret, which the key holds."""
    home_org, _other, manager, _employee = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("ideas:list")
    _stored(client, url)
    served = _visit(client, url)
    assert served["X-Page-Cache"] == "hit"
    token = served.content.decode().split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(reverse("logout"), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


@postgres_only
def test_the_project_page_from_the_cache_records_the_visit_and_changes_are_told_once(
        client, world):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    project = Project.objects.filter(organisation=home_org).order_by("pk").first()
    url = reverse("projects:detail", args=[project.pk])
    _stored(client, url)
    seen = ProjectVisit.objects.get(user=manager, project=project).seen_at
    assert _visit(client, url)["X-Page-Cache"] == "hit"
    assert ProjectVisit.objects.get(user=manager, project=project).seen_at > seen
    # A change since the last visit is told on the next visit, which is therefore not kept:
    # the visit after it has nothing new to tell.
    project_update(actor=manager, project=project, version=project.version,
                   title="Nattilsyn, nytt navn")
    told = _visit(client, url)
    assert "siden ditt forrige besøk" in told.content.decode()
    assert not told.has_header("X-Page-Cache")
    calm = _visit(client, url)
    assert "siden ditt forrige besøk" not in calm.content.decode()
    assert calm["X-Page-Cache"] == "miss"


@postgres_only
def test_every_table_but_the_unversioned_ones_writes_the_version(db):
    data_version.install()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t
                                      WHERE t.tgrelid = c.oid AND t.tgname = %s)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')""",
                       [data_version.TRIGGER])
        tables = dict(cursor.fetchall())
    left_out = data_version.unversioned()
    assert {t for t, has in tables.items() if not has} == left_out & set(tables)
    assert "ideas_idea" in tables and "portal_organisation" in tables


@postgres_only
def test_a_table_added_later_gets_the_trigger_and_writes_the_version(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_table (id integer)")
    assert data_version.install() == ["later_table"]
    assert data_version.install() == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {data_version.CLEAR_MARK_SQL}")  # as a request's start does
        before = data_version.current()
        cursor.execute("INSERT INTO later_table VALUES (1), (2), (3)")
        assert data_version.current() == before + 1
        # Once per transaction (until the next request's start clears the mark again): a
        # row updated at every statement would cost ever longer version chains.
        cursor.execute("UPDATE later_table SET id = id + 1")
        assert data_version.current() == before + 1
        cursor.execute(f"SELECT {data_version.CLEAR_MARK_SQL}")
        cursor.execute("DELETE FROM later_table")
        assert data_version.current() == before + 2


@postgres_only
def test_the_version_grows_when_a_write_commits_not_when_it_rolls_back(db):
    """Another connection writes and commits or rolls back; this one reads the version (the
    test's own transaction sees others' commits, as a request would)."""
    import psycopg2

    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            # A table with the trigger, as install() gives every table (committed: the test's
            # own transaction would hold the table's lock until its end).
            cursor.execute("CREATE TABLE scratch_writes (id integer)")
            cursor.execute(f"CREATE TRIGGER {data_version.TRIGGER} AFTER INSERT OR UPDATE OR "
                           f"DELETE OR TRUNCATE ON scratch_writes FOR EACH STATEMENT EXECUTE "
                           f"FUNCTION {data_version.FUNCTION}()")
            other.commit()
            before = data_version.current()
            cursor.execute("INSERT INTO scratch_writes VALUES (1)")
            assert data_version.current() == before  # not committed yet
            other.rollback()
            assert data_version.current() == before
            cursor.execute("INSERT INTO scratch_writes VALUES (2)")
            cursor.execute("UPDATE scratch_writes SET id = 3")
            other.commit()
            after = data_version.current()
            assert after == before + 1  # one committed transaction
            data_version.fold()
            assert data_version.current() == after
    finally:
        other.rollback()
        with other.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS scratch_writes")
        other.commit()
        other.close()


@postgres_only
def test_after_every_kind_of_change_each_page_is_what_the_view_renders_now(client, world):
    """The property itself: whatever changed, a visit answers what rendering the page now
    would. Each step writes through a service (or as the admin would), then every page is
    visited as it would be (from the cache when it can be), rendered anew, compared, and
    visited once more so the next step starts with every page stored."""
    from django.utils import timezone

    from gevinst import services as benefit_services
    from ideas import services as idea_services
    from notifications.models import Notification
    from portal.models import Membership
    from portal.roles import Role
    from tests.consumers import run_consumers
    from tests.gevinst.conftest import benefit_fields
    from tests.personas import member

    home_org, _other, manager, employee = world
    coordinator = member(home_org, Role.COORDINATOR, "koordinator")
    project = Project.objects.filter(organisation=home_org).order_by("pk").first()
    idea = make_idea(employee, home_org, title="Ny idé om nattlys", status="submitted")
    steps = {
        "an idea submitted": lambda: make_idea(employee, home_org, title="Enda en idé",
                                               status="submitted"),
        "an idea followed": lambda: idea_services.idea_follow(actor=manager, idea=idea),
        "a comment": lambda: idea_services.comment_add(actor=employee, idea=idea,
                                                       body="Mer om behovet"),
        # The follower's notices come from the consumers, which the commit sets off.
        "an idea approved into a project, notices": lambda: (
            idea_services.idea_start_review(actor=coordinator, idea=idea),
            idea_services.idea_approve(actor=coordinator, idea=Idea.objects.get(pk=idea.pk)),
            run_consumers()),
        "a project renamed": lambda: project_update(
            actor=manager, project=project, version=Project.objects.get(pk=project.pk).version,
            title="Nattilsyn med nytt navn"),
        "a benefit measured": lambda: benefit_services.measurement_create(
            actor=manager, benefit=benefit_services.benefit_create(
                actor=manager, project=project, owner=manager,
                **benefit_fields(title="Færre fall")),
            measured_on="2024-10-01", value="31"),
        "the notices read": lambda: Notification.objects.filter(
            user=manager, read_at__isnull=True).update(read_at=timezone.now()),
        "a role changed": lambda: Membership.objects.filter(
            user=manager, organisation=home_org).update(role=Role.EMPLOYEE),
    }
    client.force_login(manager)
    urls = page_urls(home_org)
    for page in PAGES:
        _visit(client, urls[page])
        _visit(client, urls[page])
    for step, write in steps.items():
        write()
        for page in PAGES:
            visited = client.get(urls[page])
            with override_settings(PAGE_CACHE=False):  # what the view renders now
                rendered = client.get(urls[page])
            if page != "project" or visited.get("X-Page-Cache") == "hit":
                # (A project page rendered on the visit may tell of changes since the
                # previous one, which the render right after it has no more.)
                assert without_tokens(visited.content.decode()) == without_tokens(
                    rendered.content.decode()), f"{page} after {step}"
            client.get(urls[page])


# Beat tasks that write on every run by design: the nightly recompute upserts the snapshots.
WRITES_EVERY_RUN = {"indicators-nightly"}


@postgres_only
def test_a_periodic_task_with_nothing_to_do_leaves_the_version(world, settings):
    """Beat runs most tasks every minute or five: one that wrote (even an UPDATE of no rows)
    each time would empty the cache of rendered pages as often. Each task runs twice; the
    second run has nothing left to do."""
    import importlib

    changed = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        module, function = entry["task"].rsplit(".", 1)
        task = getattr(importlib.import_module(module), function)
        task.run()
        before = data_version.current()
        task.run()
        if data_version.current() != before and name not in WRITES_EVERY_RUN:
            changed.append(name)
    assert not changed


@pytest.mark.skipif(POSTGRES, reason="SQLite's side")
def test_on_sqlite_pages_are_not_cached(client, manager):
    client.force_login(manager)
    url = reverse("ideas:list")
    _visit(client, url)
    assert data_version.current() is None
    assert not _visit(client, url).has_header("X-Page-Cache")


def test_every_worker_process_computes_the_same_fingerprint():
    """gunicorn's workers share the cache: a fingerprint that differed per process (an
    address in a repr, say) would make each worker render every page for itself."""
    import subprocess
    import sys

    script = ("import django; django.setup(); "
              "from portal.page_cache import code_fingerprint; print(code_fingerprint())")
    prints = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True).stdout.strip() for _ in range(2)}
    assert len(prints) == 1 and len(prints.pop()) == 16


def test_a_changed_setting_or_file_changes_the_fingerprint(settings, tmp_path, monkeypatch):
    from portal import page_cache

    before = page_cache.code_fingerprint()
    settings.INNOPORTAL_SOMETHING_NEW = "endret miljø"  # the fixture sends setting_changed
    changed = page_cache.code_fingerprint()
    assert changed != before
    (tmp_path / "page.html").write_text("<p>ny mal</p>")
    monkeypatch.setattr(page_cache, "ROOT", tmp_path)
    page_cache._fingerprint_cached.cache_clear()
    assert page_cache.code_fingerprint() not in (before, changed)
