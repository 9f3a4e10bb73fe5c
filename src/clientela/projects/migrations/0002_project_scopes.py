"""Existing roles get scopes for projects: the same scopes the role has for contacts
(whoever sees a client's people sees the work done for them)."""

from django.db import migrations


def add_project_scopes(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        permissions = dict(role.permissions or {})
        records = dict(permissions.get("records", {}))
        if "project" in records:
            continue
        records["project"] = dict(records.get("contact", {}))
        permissions["records"] = records
        role.permissions = permissions
        role.save(update_fields=["permissions"])


def remove_project_scopes(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        records = (role.permissions or {}).get("records", {})
        if "project" in records:
            del records["project"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("users", "0002_teams_and_roles")]

    operations = [migrations.RunPython(add_project_scopes, remove_project_scopes)]
