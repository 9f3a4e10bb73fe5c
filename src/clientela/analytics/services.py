"""Saving, sharing and deleting reports: each write checked, atomic and in the audit trail;
a deleted report stays restorable (moved out of the list, not erased)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.analytics import reports
from clientela.analytics.models import Report
from clientela.core import audit, permissions
from clientela.users.models import User


def snapshot(report: Report) -> dict[str, Any]:
    return {
        "name": report.name,
        "record_type": report.record_type,
        "filters": report.filters,
        "group_by": report.group_by,
        "measure": report.measure,
        "measure_field": report.measure_field,
        "team": report.team_id,
        "role": report.role_id,
        "schedule": report.schedule,
    }


def may_build(user: User) -> bool:
    return permissions.can(user, "view_reports")


def may_change(user: User, report: Report) -> bool:
    return report.owner_id == user.pk or (user.is_superuser and report.owner_id is not None)


@transaction.atomic
def save_report(*, actor: User, report: Report | None, data: dict[str, Any]) -> Report:
    """Create or change a report from the builder's checked data (name, record_type,
    filters, group_by, measure, measure_field, team, role, schedule)."""
    if not may_build(actor) or (report is not None and not may_change(actor, report)):
        raise PermissionDenied(_("Your role does not build reports."))
    reports.checked(
        actor,
        data["record_type"],
        data["filters"],
        data["group_by"],
        data["measure"],
        data.get("measure_field", ""),
    )
    creating = report is None
    report = report or Report(owner=actor)
    before = None if creating else snapshot(report)
    for key in ("name", "record_type", "filters", "group_by", "measure", "measure_field"):
        setattr(report, key, data.get(key, ""))
    report.team = data.get("team")
    report.role = data.get("role")
    report.schedule = data.get("schedule", "")
    report.save()
    audit.log(
        actor=actor,
        action="create" if creating else "update",
        record=report,
        before=before,
        after=snapshot(report),
    )
    return report


@transaction.atomic
def delete_report(*, actor: User, report: Report) -> None:
    """Out of every list, kept (and in the audit trail) so it can be restored."""
    if not may_change(actor, report):
        raise PermissionDenied(_("Only its author deletes a report."))
    report.deleted_at = timezone.now()
    report.save(update_fields=["deleted_at"])
    audit.log(actor=actor, action="delete", record=report, before=snapshot(report), state=None)


@transaction.atomic
def restore_report(*, actor: User, report: Report) -> Report:
    if not may_change(actor, report):
        raise PermissionDenied(_("Only its author restores a report."))
    report.deleted_at = None
    report.save(update_fields=["deleted_at"])
    audit.log(actor=actor, action="restore", record=report, after=snapshot(report))
    return report
