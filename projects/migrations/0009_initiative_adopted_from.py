from django.db import migrations

LINEAGE = """
UPDATE {initiative} SET adopted_from_id = (
    SELECT origin.initiative_id FROM {project} p JOIN {project} origin ON origin.id = p.adopted_from_id
    WHERE p.initiative_id = {initiative}.id)
WHERE id IN (SELECT initiative_id FROM {project} WHERE adopted_from_id IS NOT NULL)
"""


def fill(apps, schema_editor):
    """The adoption lineage moves onto the spine (Initiative.adopted_from, initiatives 0002):
    copied from the projects' adopted_from for the projects that exist."""
    schema_editor.execute(LINEAGE.format(
        initiative=apps.get_model("initiatives", "Initiative")._meta.db_table,
        project=apps.get_model("projects", "Project")._meta.db_table))


class Migration(migrations.Migration):

    dependencies = [
        ("initiatives", "0002_adoption_lineage_and_anonymous_submission"),
        ("projects", "0008_spine_models_moved"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
