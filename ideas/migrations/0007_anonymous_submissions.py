from django.db import migrations

FLAG = """
UPDATE {change} SET anonymous_submission = TRUE
WHERE to_phase = 'idea' AND EXISTS (
    SELECT 1 FROM {idea} i
    WHERE i.initiative_id = {change}.initiative_id AND i.is_anonymous
      AND i.submitter_id = {change}.decided_by_id)
"""


def fill(apps, schema_editor):
    """Flag the submissions of anonymous ideas in the phase log (PhaseChange.
    anonymous_submission, initiatives 0002): the changes into `idea` that the submitter of an
    anonymous idea decided. From here on the idea services keep the flag."""
    schema_editor.execute(FLAG.format(
        change=apps.get_model("initiatives", "PhaseChange")._meta.db_table,
        idea=apps.get_model("ideas", "Idea")._meta.db_table))


class Migration(migrations.Migration):

    dependencies = [
        ("ideas", "0006_initiative_in_spine"),
        ("initiatives", "0002_adoption_lineage_and_anonymous_submission"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
