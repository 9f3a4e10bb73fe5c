"""The lifecycle stages a new installation starts with; the business can change them."""

from django.db import migrations

STAGES = [
    ("lead", "Lead", True),
    ("prospect", "Prospect", False),
    ("customer", "Customer", False),
    ("former-customer", "Former customer", False),
]


def create(apps, schema_editor):
    stage_model = apps.get_model("customers", "LifecycleStage")
    for position, (key, name, is_default) in enumerate(STAGES):
        stage_model.objects.using(schema_editor.connection.alias).get_or_create(
            key=key, defaults={"name": name, "position": position, "is_default": is_default}
        )


def remove(apps, schema_editor):
    stage_model = apps.get_model("customers", "LifecycleStage")
    stage_model.objects.using(schema_editor.connection.alias).filter(key__in=[key for key, _name, _default in STAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
