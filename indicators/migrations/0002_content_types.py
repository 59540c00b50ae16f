from django.db import migrations

# (old app, model) -> new app: the models the indicator engine took over in 0001.
MOVED = {("gevinst", "pointscheme"): "indicators", ("gevinst", "indicatorperiod"): "indicators",
         ("gevinst", "indicatorsnapshot"): "indicators", ("gevinst", "indicatorjob"): "indicators"}


def move_content_types(apps, schema_editor):
    """The content types (and with them the admin permissions and the admin log) follow the
    models to their new app. A fresh database has none yet: they are created after migrate,
    under the new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in MOVED.items():
        if ContentType.objects.filter(app_label=new_app, model=model).exists():
            continue
        ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (old_app, model), new_app in MOVED.items():
        ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("indicators", "0001_initial"),
        ("gevinst", "0010_indicator_models_moved"),
    ]

    operations = [migrations.RunPython(move_content_types, move_back)]
