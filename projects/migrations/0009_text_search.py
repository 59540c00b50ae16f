"""pg_trgm and the similar-ideas suggestion's search column and indexes on projects
(portal.text_search); nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from portal.text_search import SearchDocument


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0008_list_and_catalogue_indexes'),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm (skipped on SQLite).
        TrigramExtension(),
        SearchDocument("projects_project"),
    ]
