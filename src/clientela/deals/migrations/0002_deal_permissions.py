"""Existing roles get scopes for deals: those of a default role as shipped, else the same
scopes the role has for contacts (whoever sees a contact sees the deals like it)."""

from django.db import migrations

DEFAULTS = {
    "administrator": ("all", "all", "all"),
    "manager": ("all", "team", "team"),
    "sales-representative": ("team", "own", "own"),
    "support-agent": ("all", "own", "none"),
    "marketing": ("all", "own", "none"),
    "read-only": ("all", "none", "none"),
}


def add_deal_scopes(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        permissions = dict(role.permissions or {})
        records = dict(permissions.get("records", {}))
        if "deal" in records:
            continue
        if role.key in DEFAULTS:
            view, edit, delete = DEFAULTS[role.key]
            records["deal"] = {"view": view, "edit": edit, "delete": delete}
        else:
            records["deal"] = dict(records.get("contact", {}))
        permissions["records"] = records
        role.permissions = permissions
        role.save(update_fields=["permissions"])


def remove_deal_scopes(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        records = (role.permissions or {}).get("records", {})
        if "deal" in records:
            del records["deal"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial"), ("users", "0002_teams_and_roles")]

    operations = [migrations.RunPython(add_deal_scopes, remove_deal_scopes)]
