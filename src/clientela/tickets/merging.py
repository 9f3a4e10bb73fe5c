"""Merging a duplicate ticket into the one kept, and undoing it: the duplicate's messages,
files, tasks, used articles (and its order or deal when the kept ticket has none) move
over in one transaction; the duplicate is closed as merged, with a link to the kept one.
What moved is kept by row id (`TicketMerge`), so an undo puts back exactly that."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind, Attachment, Task, TimelineLink
from clientela.core import audit, permissions, phrases
from clientela.tickets import writing
from clientela.tickets.models import (
    Ticket,
    TicketArticle,
    TicketMerge,
    TicketMessage,
    TicketStatus,
)
from clientela.users.models import User

# Rows on a ticket by (content type, id) that move with it.
RECORD_ROWS: dict[str, type[Attachment] | type[Task]] = {"files": Attachment, "tasks": Task}
# The duplicate's fields a merge changes, put back as they were by an undo.
STATUS_FIELDS = ("status", "status_changed_at", "resolved_at", "sla_paused_at")


def _check(actor: User | None, kept: Ticket, duplicate: Ticket) -> None:
    if kept.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A ticket cannot be merged with itself.")})
    if kept.deleted_at is not None or duplicate.deleted_at is not None:
        raise ValidationError({"duplicate": _("A ticket in the trash cannot be merged.")})
    for ticket in (kept, duplicate):
        if ticket.merged_into_id is not None:
            raise ValidationError(
                {
                    "duplicate": _("Ticket #%(number)s was merged into another already.")
                    % {"number": ticket.pk}
                }
            )
    permissions.check(actor, kept, "edit")
    permissions.check(actor, duplicate, "edit")


def _stamp(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def merge_tickets(
    *,
    actor: User | None,
    kept: Ticket,
    duplicate: Ticket,
    expected_version: int | None = None,
) -> TicketMerge:
    """Make `duplicate` part of `kept` (whose version the caller read, if given)."""
    _check(actor, kept, duplicate)
    content_type = ContentType.objects.get_for_model(Ticket)
    moved: dict[str, list[int]] = {}
    moved["messages"] = list(
        TicketMessage.objects.filter(ticket=duplicate).values_list("pk", flat=True)
    )
    TicketMessage.objects.filter(pk__in=moved["messages"]).update(ticket=kept)
    on_kept = TimelineLink.objects.filter(content_type=content_type, object_id=kept.pk)
    links = TimelineLink.objects.filter(content_type=content_type, object_id=duplicate.pk)
    moved["timeline"] = list(
        links.exclude(activity_id__in=on_kept.values("activity_id")).values_list("pk", flat=True)
    )
    TimelineLink.objects.filter(pk__in=moved["timeline"]).update(object_id=kept.pk)
    for label, model in RECORD_ROWS.items():
        rows = model.objects.filter(content_type=content_type, object_id=duplicate.pk)
        moved[label] = list(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=moved[label]).update(object_id=kept.pk)
    used = TicketArticle.objects.filter(ticket=kept).values("article_id")
    moved["articles"] = list(
        TicketArticle.objects.filter(ticket=duplicate)
        .exclude(article_id__in=used)
        .values_list("pk", flat=True)
    )
    TicketArticle.objects.filter(pk__in=moved["articles"]).update(ticket=kept)

    kept_before = audit.snapshot(kept)
    kept_fields = ["last_activity_at"]
    taken: dict[str, bool] = {}
    for field in ("order", "deal"):
        if getattr(kept, f"{field}_id") is None and getattr(duplicate, f"{field}_id"):
            setattr(kept, field, getattr(duplicate, field))
            kept_fields.append(field)
            taken[field] = True
    times = [t for t in (kept.last_activity_at, duplicate.last_activity_at) if t]
    kept.last_activity_at = max(times) if times else None
    merged = f"#{duplicate.pk} {duplicate.subject}"
    writing.saved(
        actor, kept, kept_before, "merge", kept_fields, expected_version, {"merged": merged}
    )

    now = timezone.now()
    duplicate_before = audit.snapshot(duplicate)
    before: dict[str, object] = {
        name: getattr(duplicate, name) if name == "status" else _stamp(getattr(duplicate, name))
        for name in STATUS_FIELDS
    }
    duplicate.status, duplicate.status_changed_at = TicketStatus.CLOSED, now
    duplicate.resolved_at = duplicate.resolved_at or now
    duplicate.sla_paused_at = None
    duplicate.merged_into = kept
    writing.saved(
        actor,
        duplicate,
        duplicate_before,
        "merged away",
        [*STATUS_FIELDS, "merged_into"],
        None,
        {"merged_into": f"#{kept.pk} {kept.subject}"},
    )
    activities.record_event(
        actor=actor,
        records=[kept],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext(
            "Ticket #%(duplicate)s merged into ticket #%(kept)s",
            duplicate=duplicate.pk,
            kept=kept.pk,
        ),
        body=duplicate.subject,
        occurred_at=now,
    )
    return TicketMerge.objects.create(
        kept=kept,
        duplicate=duplicate,
        moved=moved,
        before={**before, "taken": taken},
        created_by=actor,
    )


def last_merge(ticket: Ticket) -> TicketMerge | None:
    """The merge into `ticket` that may still be undone: its latest, not undone."""
    return (
        TicketMerge.objects.filter(kept=ticket, undone_at__isnull=True)
        .select_related("duplicate")
        .first()
    )


@transaction.atomic
def undo_merge(*, actor: User | None, merge: TicketMerge) -> Ticket:
    """Put both tickets back as they were: what moved goes back to the duplicate, which is
    reopened in the status it had. The merge stays in both tickets' history."""
    merge = TicketMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was undone already."))
    kept, duplicate = (
        Ticket.objects.get(pk=merge.kept_id),
        Ticket.objects.get(pk=merge.duplicate_id),
    )
    permissions.check(actor, kept, "edit")
    permissions.check(actor, duplicate, "edit")
    moved, before = merge.moved, merge.before
    TicketMessage.objects.filter(pk__in=moved["messages"]).update(ticket=duplicate)
    TimelineLink.objects.filter(pk__in=moved["timeline"]).update(object_id=duplicate.pk)
    for label, model in RECORD_ROWS.items():
        model.objects.filter(pk__in=moved[label]).update(object_id=duplicate.pk)
    TicketArticle.objects.filter(pk__in=moved["articles"]).update(ticket=duplicate)

    kept_before = audit.snapshot(kept)
    taken = list(before.get("taken", {}))
    for field in taken:
        setattr(kept, field, None)
    writing.saved(
        actor, kept, kept_before, "undo merge", taken, None, {"unmerged": f"#{duplicate.pk}"}
    )

    duplicate_before = audit.snapshot(duplicate)
    duplicate.status = before["status"]
    for name in STATUS_FIELDS[1:]:
        setattr(duplicate, name, parse_datetime(before[name]) if before[name] else None)
    duplicate.merged_into = None
    writing.saved(
        actor,
        duplicate,
        duplicate_before,
        "undo merge",
        [*STATUS_FIELDS, "merged_into"],
        None,
        {"merged_into": ""},
    )
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    activities.record_event(
        actor=actor,
        records=[kept],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext("Merge of ticket #%(duplicate)s undone", duplicate=duplicate.pk),
    )
    return kept
