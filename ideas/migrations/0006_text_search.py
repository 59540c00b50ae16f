"""The similar-ideas suggestion's search column and indexes on ideas (portal.text_search);
nothing on SQLite."""

from django.db import migrations

from portal.text_search import SearchDocument


class Migration(migrations.Migration):

    dependencies = [
        ('ideas', '0005_remove_follower_notification'),
        ('projects', '0009_text_search'),
    ]

    operations = [
        SearchDocument("ideas_idea"),
    ]
