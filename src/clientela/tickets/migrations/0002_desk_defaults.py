"""What a new desk starts with: the natural status transitions, SLA targets per priority
(in business minutes) for every customer, and ticket scopes for the roles that exist
already (a support agent answers every ticket; the others as they stand on contacts)."""

from django.db import migrations

TRANSITIONS = {
    "new": ["open", "waiting", "resolved", "closed"],
    "open": ["waiting", "resolved", "closed"],
    "waiting": ["open", "resolved", "closed"],
    "resolved": ["open", "closed"],
    "closed": ["open"],
}
# Priority → (first response, resolution), in business minutes.
TARGETS = {
    "urgent": (60, 4 * 60),
    "high": (4 * 60, 2 * 9 * 60),
    "normal": (8 * 60, 5 * 9 * 60),
    "low": (2 * 9 * 60, 10 * 9 * 60),
}
SUPPORT_AGENT = {"view": "all", "edit": "all", "delete": "none"}


def forwards(apps, schema_editor):
    StatusTransition = apps.get_model("tickets", "StatusTransition")
    for source, targets in TRANSITIONS.items():
        for target in targets:
            StatusTransition.objects.using(schema_editor.connection.alias).get_or_create(from_status=source, to_status=target)
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for priority, (response, resolution) in TARGETS.items():
        SlaPolicy.objects.using(schema_editor.connection.alias).get_or_create(
            priority=priority,
            tier="",
            defaults={"first_response_minutes": response, "resolution_minutes": resolution},
        )
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        records = role.permissions.setdefault("records", {})
        if "ticket" not in records:
            if role.key == "support-agent":
                records["ticket"] = dict(SUPPORT_AGENT)
            else:
                records["ticket"] = dict(records.get("contact", {}))
            role.save(update_fields=["permissions"])


def backwards(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    for role in Role.objects.using(schema_editor.connection.alias).all():
        if role.permissions.get("records", {}).pop("ticket", None) is not None:
            role.save(update_fields=["permissions"])
    # Transitions and policies go with their tables when 0001 is reversed.


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("users", "0002_teams_and_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
