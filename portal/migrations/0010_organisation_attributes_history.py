import datetime

import django.db.models.deletion
from django.db import migrations, models


SEEDED_FROM = datetime.date(2000, 1, 1)


def seed(apps, schema_editor):
    """One dated row per organisation from its current values, in force from the start of
    the date range (2000-01-01)."""
    Organisation = apps.get_model("portal", "Organisation")
    OrganisationAttributes = apps.get_model("portal", "OrganisationAttributes")
    rows = (OrganisationAttributes(organisation_id=pk, valid_from=SEEDED_FROM, county=county,
                                   population=population)
            for pk, county, population in
            Organisation.objects.values_list("pk", "county", "population").iterator())
    OrganisationAttributes.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0009_audit_statements_refused_writes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganisationAttributes",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("valid_from", models.DateField(verbose_name="gjelder fra")),
                ("county", models.CharField(blank=True, choices=[('Oslo', 'Oslo'), ('Østfold', 'Østfold'), ('Akershus', 'Akershus'), ('Buskerud', 'Buskerud'), ('Innlandet', 'Innlandet'), ('Vestfold', 'Vestfold'), ('Telemark', 'Telemark'), ('Agder', 'Agder'), ('Rogaland', 'Rogaland'), ('Vestland', 'Vestland'), ('Møre og Romsdal', 'Møre og Romsdal'), ('Trøndelag', 'Trøndelag'), ('Nordland', 'Nordland'), ('Troms', 'Troms'), ('Finnmark', 'Finnmark')],
                                            max_length=40, verbose_name="fylke")),
                ("population", models.PositiveIntegerField(blank=True, null=True,
                                                           verbose_name="innbyggertall")),
                ("organisation", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="attribute_history", to="portal.organisation",
                    verbose_name="organisasjon")),
            ],
            options={
                "verbose_name": "organisasjonsattributter",
                "verbose_name_plural": "organisasjonsattributter",
                "ordering": ["organisation", "valid_from"],
                "constraints": [models.UniqueConstraint(
                    fields=("organisation", "valid_from"),
                    name="organisation_attributes_unique_date")],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
