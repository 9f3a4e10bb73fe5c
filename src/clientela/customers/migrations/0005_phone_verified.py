from django.db import migrations, models
from django.db.models import Q


def mark_unparsed(apps, schema_editor):
    """A number stored before it could be checked holds its digits, not "+" and E.164:
    that one is unverified; every other one was checked when it was written."""
    PhoneNumber = apps.get_model("customers", "PhoneNumber")
    PhoneNumber.objects.using(schema_editor.connection.alias).filter(~Q(e164__startswith="+")).update(verified=False)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_contact_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="phonenumber",
            name="verified",
            field=models.BooleanField(db_default=True, default=True, verbose_name="verified"),
        ),
        migrations.RunPython(mark_unparsed, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="phonenumber",
            index=models.Index(
                condition=Q(verified=False), fields=["id"], name="phone_unverified_idx"
            ),
        ),
    ]
