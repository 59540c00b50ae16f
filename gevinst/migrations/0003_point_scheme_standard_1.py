"""Create the default point scheme `standard-1` (docs/domain.md "The national indicators")."""

import datetime
from decimal import Decimal

from django.db import migrations

STANDARD_1 = {
    "name": "standard",
    "version": 1,
    "valid_from": datetime.date(2000, 1, 1),
    "phase_points": {"idea": 1, "concept": 2, "pilot": 4, "implementation": 8,
                     "benefit_realisation": 12, "spread": 16, "parked": 0, "stopped": 0,
                     "rejected": 0, "merged": 0, "draft": 0},
    "adoption_points": Decimal("4"),
    "adoption_min_phase": "implementation",
    "benefit_weights": {"idea": 0, "concept": 0.25, "pilot": 0.5, "implementation": 0.75,
                        "benefit_realisation": 1.0, "spread": 1.0},
    "expected_discount": Decimal("0.5"),
    "description": "Innoportals standard poengmodell, versjon 1 (DOMAIN.md).",
}


def create(apps, schema_editor):
    PointScheme = apps.get_model("gevinst", "PointScheme")
    PointScheme.objects.get_or_create(name="standard", version=1,
                                      defaults={k: v for k, v in STANDARD_1.items()
                                                if k not in {"name", "version"}})


def remove(apps, schema_editor):
    apps.get_model("gevinst", "PointScheme").objects.filter(name="standard", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("gevinst", "0002_initial")]
    operations = [migrations.RunPython(create, remove)]
