"""The start/stop timer on tasks, calls and tickets: what a person is timing now, starting
one (which stops the one they had running), stopping it (a call's timer logs the call with
its length), and the time people spent by timer, counted on what a reader may see."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import selectors, services
from clientela.activities.models import ActivityKind, CallDirection, Task, TimeEntry, TimerKind
from clientela.core import audit, records, remembered

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User


def snapshot(entry: TimeEntry) -> dict:
    """The audit trail's picture of a time entry."""
    return audit.plain_state(
        {
            "kind": entry.kind,
            "task": entry.task_id,
            "record": f"{entry.content_type_id}:{entry.object_id}"
            if entry.content_type_id
            else None,
            "started_at": entry.started_at,
            "stopped_at": entry.stopped_at,
            "seconds": entry.seconds,
            "call": entry.activity_id,
        }
    )


def running(user) -> TimeEntry | None:
    """The timer `user` has running, with the task or record it is on (as they may see it)."""
    entry = (
        TimeEntry.objects.filter(user_id=user.pk, stopped_at__isnull=True)
        .select_related("task")
        .first()
    )
    if entry is not None:
        selectors._attach_records([entry], user)
    return entry


def entries_for(user) -> QuerySet[TimeEntry]:
    """The time entries of the person and of the people they oversee (a manager's team)."""
    return TimeEntry.objects.filter(user_id__in=selectors.overseen_ids(user))


def _check(actor: User, *, task: Task | None, record: Record | None, call: bool) -> str:
    """The kind of timer asked for, if the actor may run it: a task they may change and
    that is still open, or a record they may log activity on."""
    if (task is None) == (record is None):
        raise ValidationError(_("Choose one task or one record to time."))
    if task is not None:
        if call:
            raise ValidationError(_("A call is timed on a record, not on a task."))
        if not selectors.may_change_task(actor, task):
            raise PermissionDenied(_("You may not work on this task."))
        if task.done_at is not None:
            raise ValidationError(_("This task is done: reopen it to time it."))
        return TimerKind.TASK
    assert record is not None
    services._may_log(actor, record)
    if getattr(record, "deleted_at", None) is not None:
        raise ValidationError(_("This record is in the trash."))
    return TimerKind.CALL if call else TimerKind.RECORD


@transaction.atomic
def start_timer(
    *,
    actor: User,
    task: Task | None = None,
    record: Record | None = None,
    call: bool = False,
    now: datetime.datetime | None = None,
) -> TimeEntry:
    """Start timing a task, a call with a record's customer, or a record (a ticket). The
    timer the actor had running stops first, its time recorded: one runs at a time."""
    kind = _check(actor, task=task, record=record, call=call)
    now = now or timezone.now()
    current = TimeEntry.objects.select_for_update().filter(user=actor, stopped_at__isnull=True)
    for entry in current:
        _stop(actor, entry, now)
    entry = TimeEntry(user=actor, kind=kind, task=task, started_at=now)
    if record is not None:
        entry.content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        entry.object_id = record.pk
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # Another start by the same person got in between: theirs stands.
        raise ValidationError(_("Another timer of yours started just now; try again.")) from None
    audit.log(actor=actor, action="create", record=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def stop_timer(
    *, actor: User, entry: TimeEntry | None = None, now: datetime.datetime | None = None
) -> TimeEntry:
    """Stop the actor's running timer (or `entry`, which must be it) and record the time."""
    found = TimeEntry.objects.select_for_update().filter(user=actor, stopped_at__isnull=True)
    if entry is not None:
        found = found.filter(pk=entry.pk)
    current = found.first()
    if current is None:
        raise ValidationError(_("No timer of yours is running."))
    return _stop(actor, current, now or timezone.now())


def _stop(actor: User, entry: TimeEntry, now: datetime.datetime) -> TimeEntry:
    before = snapshot(entry)
    entry.stopped_at = max(now, entry.started_at)
    entry.seconds = int((entry.stopped_at - entry.started_at).total_seconds())
    if entry.kind == TimerKind.CALL:
        entry.activity = _log_call(actor, entry)
    entry.save(update_fields=["stopped_at", "seconds", "activity"])
    audit.log(actor=actor, action="update", record=entry, before=before, after=snapshot(entry))
    return entry


def _log_call(actor: User, entry: TimeEntry):
    """The call a call's timer measured, on its record's timeline; None when the record has
    gone out of the actor's reach meanwhile (the time is kept all the same)."""
    assert entry.content_type_id is not None
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    record = records.visible(actor, model).filter(pk=entry.object_id).first() if model else None
    if record is None:
        return None
    return services.log_activity(
        actor=actor,
        record=record,
        kind=ActivityKind.CALL,
        occurred_at=entry.started_at,
        direction=CallDirection.OUTBOUND,
        duration_seconds=entry.seconds,
    )


def seconds_by(
    user,
    ids: list[int],
    start: datetime.datetime,
    end: datetime.datetime,
    record_model: type[Record],
    overseen: set[int] | None = None,
) -> dict[tuple[int, str], int]:
    """Per (person of `ids`, kind): the seconds timed in [start, end) on tasks `user` may see
    and on records of `record_model` (tickets) they may see; one grouped query. Calls are
    left out: a call's timer is counted as the call's duration. `overseen`: the people
    `user` oversees, when the caller has read them already (activities.selectors)."""
    visible_records = records.visible(user, record_model).values("pk")
    tasks = selectors.tasks_for(user, overseen).values("pk")
    on = Q(kind=TimerKind.TASK, task__in=tasks) | Q(
        kind=TimerKind.RECORD,
        content_type=ContentType.objects.get_for_model(record_model),
        object_id__in=visible_records,
    )
    rows = (
        TimeEntry.objects.filter(
            on,
            user_id__in=ids,
            started_at__gte=start,
            started_at__lt=end,
            seconds__isnull=False,
        )
        .values("user_id", "kind")
        .annotate(total=Sum("seconds"))
        .order_by()
    )
    return {(row["user_id"], row["kind"]): row["total"] or 0 for row in remembered.rows(rows)}
