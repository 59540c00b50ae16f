"""Every existing organisation without gate checklist items gets the default checklists, so
that reading a project (page or API) never has to create them (issue 14: no writes on GET).
New organisations get them from the consumer of organisation events (ProjectsConfig.ready()).

Historical models only; the defaults are copied here as they were when this migration was
written (projects.services.checklists.DEFAULT_CHECKLISTS may change later; this must not)."""

from django.db import migrations

DEFAULT_CHECKLISTS = {
    "concept": [
        "Forankret i ledelsen",
        "Forventede gevinster beskrevet",
        "Første gevinstkart laget",
    ],
    "pilot": [
        "Plan for utprøvingen",
        "Nullpunktsmåling gjennomført",
        "Risiko- og sårbarhetsanalyse (ROS) gjennomført",
        "Arbeidsprosesser, roller, ansvar og rutiner er beskrevet",
        "Tjenesten er prøvd ut over tid og evaluert",
    ],
    "implementation": [
        "Gevinstrealiseringsplan godkjent",
        "Gevinsteiere utpekt",
        "Rutiner og opplæring på plass i drift",
    ],
    "benefit_realisation": [
        "Gevinster målt og dokumentert mot nullpunktet",
    ],
    "spread": [
        "Adopsjon av andre enheter eller organisasjoner registrert",
    ],
}


def seed(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    GateChecklistItem = apps.get_model("projects", "GateChecklistItem")
    have = GateChecklistItem.objects.values("organisation_id")
    GateChecklistItem.objects.bulk_create(
        [GateChecklistItem(organisation_id=org_id, phase=phase, text=text, position=position)
         for org_id in Organisation.objects.exclude(pk__in=have).values_list("pk", flat=True)
         for phase, texts in DEFAULT_CHECKLISTS.items()
         for position, text in enumerate(texts)],
        ignore_conflicts=True, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0011_merge_parallel_branches"),
        ("portal", "0009_audit_statements_refused_writes"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
