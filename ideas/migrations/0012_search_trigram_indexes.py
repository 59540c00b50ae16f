"""Trigram indexes for the idea list's search («Søk», also the API's `q`: every word must occur
in the title, the need or the solution, as Django's icontains writes it,
`UPPER(column::text) LIKE UPPER('%word%')`), so a search does not read every idea the user may
see. PostgreSQL only (pg_trgm, projects 0009); nothing on SQLite. The statements are frozen
here: a migration imports no live code."""

from django.db import migrations

COLUMNS = ("title", "need", "solution")
FORWARD = [
    f"CREATE INDEX IF NOT EXISTS idea_{column}_search_idx ON ideas_idea "
    f"USING gin ((upper({column}::text)) gin_trgm_ops)" for column in COLUMNS]
BACKWARD = [f"DROP INDEX IF EXISTS idea_{column}_search_idx" for column in COLUMNS]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("ideas", "0011_idea_visibility_index"),
        ("projects", "0014_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
