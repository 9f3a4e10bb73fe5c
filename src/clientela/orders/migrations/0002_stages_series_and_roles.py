"""The built-in order stages and their transitions, the invoice series, and order
permissions for the roles that exist already (the same scopes they have on contacts)."""

from django.db import migrations

STAGES = [
    ("quote", "Quote", 0),
    ("placed", "Placed", 10),
    ("paid", "Paid", 20),
    ("shipped", "Shipped", 30),
    ("delivered", "Delivered", 40),
    ("cancelled", "Cancelled", 50),
    ("returned", "Returned", 60),
]
TRANSITIONS = {
    "quote": ["placed", "cancelled"],
    "placed": ["paid", "shipped", "cancelled"],
    "paid": ["shipped", "cancelled"],
    "shipped": ["delivered", "returned"],
    "delivered": ["returned"],
}


def forwards(apps, schema_editor):
    OrderStage = apps.get_model("orders", "OrderStage")
    stages = {}
    for key, name, position in STAGES:
        stages[key], _created = OrderStage.objects.using(schema_editor.connection.alias).get_or_create(
            key=key, defaults={"name": name, "position": position, "builtin": True}
        )
    for key, targets in TRANSITIONS.items():
        stages[key].next_stages.add(*(stages[t] for t in targets))
    InvoiceSeries = apps.get_model("orders", "InvoiceSeries")
    for prefix in ("INV", "CN"):
        InvoiceSeries.objects.using(schema_editor.connection.alias).get_or_create(prefix=prefix)
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        records = role.permissions.setdefault("records", {})
        if "order" not in records:
            records["order"] = dict(records.get("contact", {}))
            role.save(update_fields=["permissions"])


def backwards(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        if role.permissions.get("records", {}).pop("order", None) is not None:
            role.save(update_fields=["permissions"])
    # Stages and series stay: orders point at them, and reversing 0001 drops their tables.


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("users", "0002_teams_and_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
