"""The similar-ideas suggestion's search column and indexes on ideas (portal.text_search, frozen);
nothing on SQLite."""

from django.db import migrations

# The statements as portal.text_search stated them when this migration was written, frozen
# here: a migration must not import live code, which follows today's models and queries.
FORWARD = [
    "ALTER TABLE ideas_idea ADD COLUMN IF NOT EXISTS search_document tsvector GENERATED "
    "ALWAYS AS (setweight(to_tsvector('norwegian'::regconfig, coalesce(title, '')), 'A') "
    "|| setweight(to_tsvector('norwegian'::regconfig, coalesce(need, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS ideas_idea_search_document_idx ON ideas_idea "
    "USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS ideas_idea_title_trgm_idx ON ideas_idea "
    "USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS ideas_idea_title_trgm_idx",
    "DROP INDEX IF EXISTS ideas_idea_search_document_idx",
    "ALTER TABLE ideas_idea DROP COLUMN IF EXISTS search_document",
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
        ('ideas', '0005_remove_follower_notification'),
        ('projects', '0009_text_search'),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
