"""Trigram indexes for the list search on projects (the project list's and the open
catalogue's «Søk»: every word must occur in the title, the need or the description, as
Django's icontains writes it, `UPPER(column::text) LIKE UPPER('%word%')`). Without them each
search read every shared project of the country (the anonymous catalogue: ~140 ms for a word
no project has; with them ~14 ms). PostgreSQL only (pg_trgm, projects 0009); nothing on
SQLite. The statements are frozen here: a migration imports no live code."""

from django.db import migrations

COLUMNS = ("title", "need", "description")
FORWARD = [
    f"CREATE INDEX IF NOT EXISTS project_{column}_search_idx ON projects_project "
    f"USING gin ((upper({column}::text)) gin_trgm_ops)" for column in COLUMNS]
BACKWARD = [f"DROP INDEX IF EXISTS project_{column}_search_idx" for column in COLUMNS]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0013_project_org_initiative_index"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
