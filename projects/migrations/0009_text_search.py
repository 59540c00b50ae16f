"""pg_trgm and the similar-ideas suggestion's search column and indexes on projects
(portal.text_search, frozen); nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The statements as portal.text_search stated them when this migration was written, frozen
# here: a migration must not import live code, which follows today's models and queries.
FORWARD = [
    "ALTER TABLE projects_project ADD COLUMN IF NOT EXISTS search_document tsvector GENERATED "
    "ALWAYS AS (setweight(to_tsvector('norwegian'::regconfig, coalesce(title, '')), 'A') "
    "|| setweight(to_tsvector('norwegian'::regconfig, coalesce(need, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS projects_project_search_document_idx ON projects_project "
    "USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS projects_project_title_trgm_idx ON projects_project "
    "USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS projects_project_title_trgm_idx",
    "DROP INDEX IF EXISTS projects_project_search_document_idx",
    "ALTER TABLE projects_project DROP COLUMN IF EXISTS search_document",
]


def _run(statements):
    """The search column and its indexes exist on PostgreSQL only; nothing on SQLite."""
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0008_list_and_catalogue_indexes'),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm (skipped on SQLite).
        TrigramExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
