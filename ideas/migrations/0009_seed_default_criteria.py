"""Every existing organisation without evaluation criteria gets the three defaults, so that
reading an idea never has to create them (issue 14: no writes on GET). New organisations get
them from the consumer of organisation events (IdeasConfig.ready()).

Historical models only; the defaults are copied here as they were when this migration was
written (ideas.services.evaluation.DEFAULT_CRITERIA may change later; this must not)."""

from django.db import migrations

DEFAULT_CRITERIA = [
    ("Nytte", "Hvor stor nytte gir idéen for brukere, ansatte og organisasjonen?"),
    ("Gjennomførbarhet", "Hvor realistisk er det å få det til med teknologi, kompetanse og "
                         "regelverk vi har?"),
    ("Ressursbehov", "Høy poengsum: lite ressurser trengs (tid, penger, folk)."),
]


def seed(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    EvaluationCriterion = apps.get_model("ideas", "EvaluationCriterion")
    have = EvaluationCriterion.objects.values("organisation_id")
    EvaluationCriterion.objects.bulk_create(
        [EvaluationCriterion(organisation_id=org_id, name=name, description=description,
                             position=position)
         for org_id in Organisation.objects.exclude(pk__in=have).values_list("pk", flat=True)
         for position, (name, description) in enumerate(DEFAULT_CRITERIA)],
        ignore_conflicts=True, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("ideas", "0008_merge_parallel_branches"),
        ("portal", "0009_audit_statements_refused_writes"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
