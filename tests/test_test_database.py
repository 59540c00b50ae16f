"""The suite's own SQLite test database (tests/database.py): readers in another connection of
the process do not lock a table against a writer, as on PostgreSQL."""

import pytest
from django.db import connection, connections


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the shared cache is SQLite's")
@pytest.mark.django_db
def test_a_reader_in_the_shared_cache_does_not_lock_out_a_writer():
    """The live server's thread polling a job while a worker thread wrote its progress failed
    with "database table is locked"; a reader now takes no table lock."""
    reader, writer = (connections.create_connection("default") for _ in range(2))
    try:
        assert reader.is_in_memory_db()
        writer.ensure_connection()
        writer.connection.execute("CREATE TABLE lock_probe (n integer)")
        reader.ensure_connection()
        reader.connection.execute("BEGIN")
        assert reader.connection.execute("SELECT count(*) FROM lock_probe").fetchone() == (0,)
        # With the reader's table lock this raised sqlite3.OperationalError at once.
        writer.connection.execute("INSERT INTO lock_probe VALUES (1)")
        reader.connection.execute("COMMIT")
    finally:
        writer.connection.execute("DROP TABLE IF EXISTS lock_probe")
        reader.close()
        writer.close()
