"""Saving, sharing and deleting reports: each write checked, atomic and in the audit trail;
a deleted report stays restorable (moved out of the list, not erased)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.analytics import rating, reports
from clientela.analytics.models import Report, Schedule
from clientela.core import audit, filters, links, permissions
from clientela.core.models import InstallationSetting
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


def is_due(report: Report, today: datetime.date) -> bool:
    """Whether a scheduled report is to be sent today (and was not yet)."""
    if not report.schedule or (report.last_sent_on is not None and report.last_sent_on >= today):
        return False
    if report.schedule == Schedule.WEEKLY:
        return today.weekday() == 0
    if report.schedule == Schedule.MONTHLY:
        return today.day == 1
    return report.schedule == Schedule.DAILY


def recipients(report: Report) -> list[User]:
    """Its author and the active people it is shared with, each once."""
    shared = Q(pk=report.owner_id)
    if report.team_id:
        shared |= Q(team_id=report.team_id)
    if report.role_id:
        shared |= Q(role_id=report.role_id)
    return list(User.objects.filter(shared, is_active=True).exclude(email="").order_by("pk"))


def _message(report: Report, user: User) -> str:
    """The report as `user`'s role shows it, as plain text; a line saying why not when
    their role does not show a field it uses."""
    try:
        result = reports.run(user, reports.definition_of(user, report))
    except (filters.FilterError, reports.ReportError):
        return _("Your role does not show the fields this report uses.")
    rows = reports.table(result)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(lines)


def send_due_reports(*, today: datetime.date | None = None) -> int:
    """E-mail every report due today to its author and the people it is shared with, each
    seeing only what their role sees; how many reports were sent. A report is marked sent
    in the transaction that sends it, so a repeated job does not send it twice."""
    today = today or timezone.localdate()
    sent = 0
    for report_id in (
        Report.objects.filter(deleted_at__isnull=True)
        .exclude(schedule="")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            if not is_due(report, today):
                continue
            link = links.absolute(report.get_absolute_url())
            for user in recipients(report):
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    send_mail(
                        subject=report.name,
                        message=f"{_message(report, user)}\n\n{link}",
                        from_email=None,
                        recipient_list=[user.email],
                    )
            report.last_sent_on = today
            report.save(update_fields=["last_sent_on"])
            sent += 1
    return sent


@transaction.atomic
def set_rating_weights(*, actor: User, weights: dict[str, int]) -> dict[str, int]:
    """The people page's rating weights for the whole installation, each a whole number
    from 0 to MAX_WEIGHT; checked, saved in one write and audited (before and after)."""
    if not rating.may_change(actor):
        raise PermissionDenied(_("Your role does not change the rating's weights."))
    cleaned: dict[str, int] = {}
    for part in rating.PARTS:
        value = weights.get(part.key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({part.key: _("Enter a whole number.")})
        if not 0 <= value <= rating.MAX_WEIGHT:
            raise ValidationError(
                {part.key: _("Enter a number from 0 to %(max)d.") % {"max": rating.MAX_WEIGHT}}
            )
        cleaned[part.key] = value
    before = rating.weights()
    setting, _created = InstallationSetting.objects.update_or_create(
        key=rating.WEIGHTS_KEY, defaults={"value": json.dumps(cleaned, separators=(",", ":"))}
    )
    audit.log(
        actor=actor,
        action="update",
        record=setting,
        before={rating.WEIGHTS_KEY: before},
        after={rating.WEIGHTS_KEY: cleaned},
    )
    return cleaned
