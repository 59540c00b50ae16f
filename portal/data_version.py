"""A version of everything in the database, for caches of what is read from it.

`current()` is a number that grows whenever a write to any of the project's tables commits, so
a rendered page stored under the version read *before* its data is never served after a later
change: a change that commits after the version was read makes the next reader see a new
number, and one that commits in between is at worst already in the stored page (newer, never
older, than its key says). portal.page_cache keys pages on it.

How: a statement-level trigger on every table (`install`, run after every migrate, so a table
added later gets it too) writes the row of the writing transaction in DataChange
(portal.models), an upsert on the transaction's own key, so concurrent writers never wait for
each other. The version is the sum of the rows: a transaction's row becomes visible to others
when it commits, together with its writes. The trigger writes the row once per transaction (a
transaction-local setting marks it done; the other statements only read that mark): updating
the same row at every statement would make each update walk the chain of the row's earlier
versions, a cost that grows with the square of a transaction's statements. The query that
reads the version for a request (the session's: portal.sessions) also clears the mark
(`CLEAR_MARK_SQL`), so a write after it raises the version again even where requests share one
transaction (the test suite's); elsewhere that query is a transaction of its own and the
clearing a no-op. `fold` (beat, every minute) moves finished transactions' rows into row 0 in
one statement, which leaves the sum as it was.

PostgreSQL only: on SQLite (the zero-setup path) there is no version and nothing is cached.

Left out are tables that record the machinery, not what pages show (`MACHINERY`: sessions,
the migration log, beat's heartbeat, the Celery outbox, failed logins and DataChange itself),
and the tables of models that say `unversioned = True` because reading a page writes them
(projects.ProjectVisit: the project page records the visit, and portal.page_cache replays
that on a hit). tests/portal/test_page_cache.py checks that no cached page reads any of them
but the one its own page replays."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

FUNCTION = "innoportal_note_change"
TRIGGER = "innoportal_data_change"
TABLE = "portal_datachange"
MACHINERY = frozenset({
    TABLE,
    "django_migrations",
    "django_session",
    "ops_heartbeat",
    "portal_pendingtask",
    "portal_loginfailure",
})

# The transaction-local mark: the id of the transaction whose row is written.
MARK = "innoportal.data_change"

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{MARK}', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('{MARK}', txid_current()::text, true);
    INSERT INTO {TABLE} (transaction, statements) VALUES (txid_current(), 1)
    ON CONFLICT (transaction) DO UPDATE SET statements = {TABLE}.statements + 1;
    RETURN NULL;
END
$$"""

# The tables (not views) of the current schema, and whether each has the trigger.
_TABLES_SQL = """
SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
WHERE c.relkind IN ('r', 'p')
ORDER BY c.relname"""

CURRENT_SQL = f"SELECT coalesce(sum(statements), 0) FROM {TABLE}"
# Selected beside the version a request reads: clears the transaction's mark (the docstring).
CLEAR_MARK_SQL = f"set_config('{MARK}', '', true)"

_FOLD_SQL = f"""
WITH finished AS (
    DELETE FROM {TABLE} WHERE transaction <> 0 RETURNING statements
)
INSERT INTO {TABLE} (transaction, statements)
SELECT 0, coalesce(sum(statements), 0) FROM finished
ON CONFLICT (transaction) DO UPDATE SET statements = {TABLE}.statements + excluded.statements"""


def supported(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def unversioned() -> frozenset[str]:
    """The tables whose writes leave the version as it is."""
    from django.apps import apps

    return MACHINERY | {model._meta.db_table for model in apps.get_models()
                        if getattr(model, "unversioned", False)}


def install(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)create the trigger function, put the trigger on every table that lacks it and take
    it off the unversioned ones; returns the tables changed. Idempotent: two statements when
    everything is in place."""
    if not supported(using):
        return []
    left_out = unversioned()
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [TABLE])
        if cursor.fetchone()[0] is None:  # before portal's migration made the table
            return []
        cursor.execute(_TABLES_SQL, [TRIGGER])
        tables = cursor.fetchall()
        missing = [name for name, has in tables if not has and name not in left_out]
        extra = [name for name, has in tables if has and name in left_out]
        cursor.execute(_FUNCTION_SQL)  # this code's definition, also over an older one
        for table in missing:
            cursor.execute(
                f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
                f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()')
        for table in extra:
            cursor.execute(f'DROP TRIGGER {TRIGGER} ON "{table}"')
    return missing + extra


def current(using: str = DEFAULT_DB_ALIAS, *, clear_mark: bool = False) -> int | None:
    """The data version, or None where there is none (SQLite). portal.sessions reads it with
    the session. `clear_mark`: clear the transaction's mark in the same statement, as a
    request's read does, so the next write in this transaction makes a new version."""
    if not supported(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT ({CURRENT_SQL}), {CLEAR_MARK_SQL}" if clear_mark
                       else CURRENT_SQL)
        return int(cursor.fetchone()[0])


def fold(using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the rows of finished transactions into row 0 (the version stays the same)."""
    if supported(using):
        with connections[using].cursor() as cursor:
            cursor.execute(_FOLD_SQL)


def on_post_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    install(using)
