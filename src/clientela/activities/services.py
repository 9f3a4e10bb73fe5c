"""Every write to timelines, tasks and files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.activities import file_types, meetings, recurrence, selectors
from clientela.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    Priority,
    RepeatFrequency,
    Task,
    TaskRepeat,
    TimelineLink,
)
from clientela.core import audit, permissions, phrases
from clientela.core.records import timeline_records
from clientela.notifications import services as notifications

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from clientela.core.models import Record
    from clientela.users.models import User

# Kinds that count as talking to the customer (a note does not).
CONTACT_KINDS = {ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL, ActivityKind.MESSAGE}
ACTIVITY_FIELDS = (
    "subject",
    "body",
    "direction",
    "duration_seconds",
    "outcome",
    "ends_at",
    "place",
    "attendees",
    "channel",
)


def _may_log(actor: User | None, record: Record) -> None:
    """Writing on a timeline needs the record in view and a role that logs activity."""
    if actor is None:
        return
    permissions.require(actor, "log_activity")
    if not permissions.allows(actor, record, "view"):
        raise PermissionDenied(_("You may not see %(record)s.") % {"record": record})


def check_file(upload: UploadedFile) -> None:
    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    if extension not in settings.UPLOAD_ALLOWED_EXTENSIONS:
        raise ValidationError(
            {"file": _("Files of type .%(ext)s can't be attached.") % {"ext": extension or "?"}}
        )
    size = upload.size or 0  # always known for an upload; the stubs allow None for any file
    if size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": _("Files can be at most %(mb)d MB.") % {"mb": limit}})
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})


@transaction.atomic
def log_activity(
    *,
    actor: User | None,
    record: Record,
    kind: str,
    occurred_at: datetime.datetime | None = None,
    recording: UploadedFile | None = None,
    callback_at: datetime.datetime | None = None,
    attendee_users: list[User] | None = None,
    invite: bool = False,
    **fields: Any,
) -> Activity:
    """Log a note, call, meeting, e-mail or message on a record's timeline; a call can bring
    its recording and schedule its call-back task in the same step; a meeting gets its
    attendees (the colleagues named and the contact it is with) and, with `invite`, sends
    them its invitation."""
    _may_log(actor, record)
    activity = prepare_activity(actor=actor, kind=kind, occurred_at=occurred_at, **fields)
    if recording is not None:
        check_file(recording)
    activity.save(force_insert=True)
    _link(activity, timeline_records(record))
    if recording is not None:
        attach_file(actor=actor, record=record, upload=recording, activity=activity)
    audit.log(actor=actor, action="create", record=activity, after=audit.snapshot(activity))
    if kind == ActivityKind.MEETING:
        meetings.add_attendees(activity, record, attendee_users or [])
        if invite:
            meetings.invite_later(activity)
    if callback_at is not None:
        assert actor is not None  # a call-back is the caller's own task
        create_task(
            actor=actor,
            title=_("Call back %(name)s") % {"name": record},
            assignee=actor,
            due_at=callback_at,
            record=record,
            source_activity=activity,
        )
    return activity


def prepare_activity(
    *, actor: User | None, kind: str, occurred_at: datetime.datetime | None = None, **fields: Any
) -> Activity:
    """Check a new timeline entry exactly as `log_activity` does (all but the permission
    on its record, which the caller asks), without writing it."""
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown timeline entry type.")})
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if kind == ActivityKind.NOTE and not (fields.get("body") or "").strip():
        raise ValidationError({"body": _("Write the note first.")})
    occurred_at = occurred_at or timezone.now()
    if fields.get("ends_at") and fields["ends_at"] < occurred_at:
        raise ValidationError({"ends_at": _("A meeting can't end before it starts.")})
    values = {name: _empty(name) if value is None else value for name, value in fields.items()}
    return Activity(kind=kind, occurred_at=occurred_at, author=actor, **values)


@transaction.atomic
def log_imported_call(
    *,
    actor: User | None,
    record: Record,
    external_id: str,
    occurred_at: datetime.datetime,
    direction: str,
    duration_seconds: int | None,
    caller: User | None = None,
    body: str = "",
    recording: UploadedFile | None = None,
) -> Activity | None:
    """A call from a phone system's log on the record's timeline, logged by `caller` (the
    colleague on the line, else the importer), its recording attached. None when a call
    with that id is already there: importing a log twice adds nothing."""
    if not external_id:
        raise ValidationError(_("An imported call needs its id."))
    if Activity.objects.filter(external_id=external_id).exists():
        return None
    activity = log_activity(
        actor=actor,
        record=record,
        kind=ActivityKind.CALL,
        occurred_at=occurred_at,
        recording=recording,
        direction=direction,
        duration_seconds=duration_seconds,
        body=body,
    )
    activity.external_id = external_id[:200]
    if caller is not None:
        activity.author = caller
    activity.save(update_fields=["external_id", "author"])
    return activity


@transaction.atomic
def remove_imported(*, actor: User | None, entry: Activity | Task, action: str) -> None:
    """Take away a timeline entry or a task an import wrote (its undo): kept whole in the
    audit trail, which can put it back."""
    state = audit.snapshot(entry)
    audit.log(actor=actor, action=action, record=entry, before=state, state=state)
    entry.delete()


def timeline_links(activity: Activity, records: list[Record]) -> list[TimelineLink]:
    """The rows putting `activity` on each of `records`' timelines (unsaved): one entry,
    or an import's batch of them, writes these."""
    return [
        TimelineLink(
            activity=activity,
            content_type=ContentType.objects.get_for_model(linked),
            object_id=linked.pk,
            occurred_at=activity.occurred_at,
            kind=activity.kind,
        )
        for linked in records
    ]


def _link(activity: Activity, records: list[Record]) -> None:
    TimelineLink.objects.bulk_create(timeline_links(activity, records))
    for linked in records:
        _mark_activity(linked, activity.occurred_at, talked=activity.kind in CONTACT_KINDS)


def event_targets(records: list[Record]) -> list[Record]:
    """The timelines an event on `records` goes on: theirs and those they roll up into,
    each once."""
    linked: list[Record] = []
    for record in records:
        for target in timeline_records(record):
            if all(type(t) is not type(target) or t.pk != target.pk for t in linked):
                linked.append(target)
    return linked


@transaction.atomic
def record_event(
    *,
    actor: User | None,
    records: list[Record],
    kind: str,
    subject: str | phrases.Phrase,
    body: str | phrases.Phrase = "",
    occurred_at: datetime.datetime | None = None,
    direction: str = "",
    channel: str = "",
) -> Activity:
    """Put something that happened to records (an order placed, paid, shipped) on their
    timelines and on those that roll them up. The calling service has already checked that
    `actor` may make the change, so no log_activity capability is asked for. What the
    product writes by itself comes as phrases (core/phrases.py): each reader sees it in
    their own language."""
    linked = event_targets(records)
    subject, subject_phrase = phrases.written(subject)
    body, body_phrase = phrases.written(body)
    activity = Activity.objects.create(
        kind=kind,
        subject=subject[:200],
        body=body,
        subject_phrase=subject_phrase,
        body_phrase=body_phrase,
        occurred_at=occurred_at or timezone.now(),
        author=actor if actor is not None and actor.pk else None,
        direction=direction,
        channel=channel,
    )
    _link(activity, linked)
    return activity


@transaction.atomic
def link_records(activity: Activity, records: list[Record]) -> None:
    """Put an entry already written on more timelines (a received e-mail on the contact
    made from its sender); the caller checked the change is allowed."""
    _link(activity, records)


def _empty(field: str) -> str | None:
    return None if field in {"duration_seconds", "ends_at"} else ""


def _mark_activity(record: Record, when: datetime.datetime, *, talked: bool) -> None:
    model = type(record)
    updates: dict[str, datetime.datetime] = {}
    if record.last_activity_at is None or when > record.last_activity_at:
        updates["last_activity_at"] = when
    if (
        talked
        and hasattr(record, "last_contacted_at")  # people, not their companies or deals
        and (record.last_contacted_at is None or when > record.last_contacted_at)
    ):
        updates["last_contacted_at"] = when
    if updates:
        model.objects.filter(pk=record.pk).update(**updates)
        for name, value in updates.items():
            setattr(record, name, value)


@transaction.atomic
def attach_file(
    *,
    actor: User | None,
    record: Record,
    upload: UploadedFile,
    activity: Activity | None = None,
    checked: bool = False,
) -> Attachment:
    """A file on a record (or one of its entries). `checked`: the calling service has
    already checked that `actor` may make the change the file comes with (a ticket's
    reply), so no log_activity capability is asked for, as with `record_event`."""
    if not checked:
        _may_log(actor, record)
    check_file(upload)
    name = Path(upload.name or "").name[:255]
    attachment = Attachment.objects.create(
        file=upload,
        name=name,
        size=upload.size or 0,
        # What the server found the file to be; the type the browser sent is not kept.
        content_type_header=file_types.sniff(upload, name).content_type[:120],
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        activity=activity,
        uploaded_by=actor,
    )
    audit.log(actor=actor, action="create", record=attachment, after=audit.snapshot(attachment))
    return attachment


def _clean_task(
    *,
    title: str,
    priority: str,
    due_at: datetime.datetime | None,
    reminder_at: datetime.datetime | None,
) -> str:
    """A task's title with its spaces tidied, once its fields make sense together."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the task a title.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    if reminder_at and due_at and reminder_at > due_at:
        raise ValidationError({"reminder_at": _("The reminder should come before the due time.")})
    return title[:200]


class NewTask(TypedDict, total=False):
    """What a new task is made of: `create_task` and `prepare_task` take the same."""

    title: Required[str]
    assignee: Required[User]
    due_at: datetime.datetime | None
    reminder_at: datetime.datetime | None
    priority: str
    record: Record | None
    notes: str
    source_activity: Activity | None
    # An unsaved TaskRepeat: the task is the first of a series whose next task is made
    # when this one is done.
    repeat: TaskRepeat | None
    done: bool  # ticked already


@transaction.atomic
def create_task(*, actor: User | None, **fields: Unpack[NewTask]) -> Task:
    """A task, on a record or on none, written as `prepare_task` checks it."""
    record = fields.get("record")
    if record is not None:
        _may_log(actor, record)
    task = prepare_task(actor=actor, **fields)
    if task.repeat is not None:
        task.repeat.save()
    task.save(force_insert=True)
    audit.log(actor=actor, action="create", record=task, after=audit.snapshot(task))
    if task.reminder_at is not None:
        _schedule_reminder(task, task.reminder_at)
    if actor is not None and task.assignee_id != actor.pk:
        _tell_assignee(actor, task)
    return task


def prepare_task(*, actor: User | None, **fields: Unpack[NewTask]) -> Task:
    """A new task checked exactly as `create_task` writes it (all but the permission on its
    record, which `create_task` and `create_tasks` ask), without writing it; a repeating
    one's rule is checked and left unsaved on it."""
    due_at, reminder_at = fields.get("due_at"), fields.get("reminder_at")
    priority, record = fields.get("priority", Priority.NORMAL), fields.get("record")
    title = _clean_task(
        title=fields["title"], priority=priority, due_at=due_at, reminder_at=reminder_at
    )
    task = Task(
        title=title,
        notes=fields.get("notes", ""),
        assignee=fields["assignee"],
        created_by=actor,
        due_at=due_at,
        reminder_at=reminder_at,
        priority=priority,
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        done_at=timezone.now() if fields.get("done") else None,
        source_activity=fields.get("source_activity"),
    )
    if (repeat := fields.get("repeat")) is not None:
        task.repeat = _check_repeat(repeat, due_at, fields["assignee"])
    return task


# What a task's edit may change: `update_task(changes=…)` takes these names.
TASK_FIELDS = ("title", "notes", "due_at", "reminder_at", "priority", "assignee")


def _may_change_task(actor: User | None, task: Task, *, on_record: bool = True) -> None:
    """A task changes in the hands of its assignee, whoever gave it, or someone who oversees
    the assignee (a manager, their team's); on a record, the person must still see that
    record and log activity on it, as when the task was added (`on_record`: ticking one's
    task done asks only the first)."""
    if actor is None:
        return
    if not selectors.may_change_task(actor, task):
        raise PermissionDenied(_("You may not change this task."))
    if on_record and task.content_type_id is not None:
        record = selectors.task_record(task, actor)
        if record is None:
            raise PermissionDenied(_("You may not see the record this task is on."))
        _may_log(actor, record)


@transaction.atomic
def update_task(*, actor: User | None, task: Task, changes: dict[str, Any]) -> Task:
    """Edit, reschedule or reassign a task: the fields named in `changes` take their new
    values, checked together with the others; one audit entry for the whole change. A moved
    reminder is scheduled anew (the old one finds the task changed and stays silent); a new
    assignee is told, and the reminder still ahead reaches them."""
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _may_change_task(actor, task)
    values = {name: getattr(task, name) for name in TASK_FIELDS} | changes
    values["title"] = _clean_task(
        title=values["title"],
        priority=values["priority"],
        due_at=values["due_at"],
        reminder_at=values["reminder_at"],
    )
    values["notes"] = values["notes"] or ""
    if values["assignee"] is None or not values["assignee"].is_active:
        raise ValidationError({"assignee": _("There is no such active user.")})
    changed = [name for name in TASK_FIELDS if getattr(task, name) != values[name]]
    if not changed:
        return task
    before = audit.snapshot(task)
    for name in changed:
        setattr(task, name, values[name])
    task.save(update_fields=changed)
    audit.log(actor=actor, action="update", record=task, before=before, after=audit.snapshot(task))
    if "reminder_at" in changed and task.reminder_at is not None and task.done_at is None:
        _schedule_reminder(task, task.reminder_at)
    if "assignee" in changed and actor is not None and task.assignee_id != actor.pk:
        _tell_assignee(actor, task)
    return task


def _task_url(task: Task) -> str:
    record = selectors.task_record(task, None)
    return record.get_absolute_url() if record is not None else reverse("activities:my-day")


def _tell_assignee(actor: User, task: Task) -> None:
    """A bell notification for the person a colleague gave a task to."""
    notifications.notify(
        task.assignee,
        key=f"task:{task.pk}:assigned:{task.assignee_id}:{timezone.now().isoformat()}",
        title=phrases.gettext(
            "%(person)s gave you a task: %(task)s", person=actor.display_name, task=task.title
        ),
        url=_task_url(task),
    )


def _schedule_reminder(task: Task, when: datetime.datetime) -> None:
    """A bell notification and an e-mail at the reminder time (the task's `reminder_at`),
    to whoever has the task then. The job names the time, so a moved reminder is a new job
    and the old one, finding the task moved, delivers nothing."""
    from clientela.activities.tasks import deliver_task_reminder

    jobs.schedule_at(when, deliver_task_reminder, task.pk, at=_stamp(when))


def _stamp(when: datetime.datetime) -> str:
    """A reminder's time as its job names it: in UTC, as the database gives it back."""
    return when.astimezone(datetime.UTC).isoformat()


def deliver_reminder(*, task_id: int, at: str) -> None:
    """The reminder of a task scheduled for `at`, if the task still has it: not done, not
    moved to another time, assigned to someone still active. The key names the time, so a
    job that runs twice delivers once."""
    task = Task.objects.select_related("assignee").filter(pk=task_id).first()
    if task is None or task.done_at is not None or task.reminder_at is None:
        return
    if _stamp(task.reminder_at) != at or not task.assignee.is_active:
        return
    notifications.notify(
        task.assignee,
        key=f"task:{task.pk}:reminder:{at}",
        title=phrases.gettext("Reminder: %(task)s", task=task.title),
        url=_task_url(task),
    )


@transaction.atomic
def set_task_done(*, actor: User, task: Task, done: bool) -> Task:
    """Done or not done again; an assignee may close a task on a record now out of their
    sight, which would otherwise stay on their list for good. A repeating task done makes
    the next of its series (once, however often it is ticked)."""
    _may_change_task(actor, task, on_record=False)
    before = audit.snapshot(task)
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    audit.log(actor=actor, action="update", record=task, before=before, after=audit.snapshot(task))
    if done and task.repeat_id is not None:
        next_occurrence(actor=actor, task=task)
    return task


# Repeating tasks ------------------------------------------------------------------------
MAX_INTERVAL = 99
MAX_TIMES = 999


def _check_repeat(
    repeat: TaskRepeat, due_at: datetime.datetime | None, assignee: User
) -> TaskRepeat:
    """Check a new series' rule, anchored on its first task's due time as the assignee's
    clock reads it (saved with the task)."""
    if due_at is None:
        raise ValidationError({"due_at": _("A repeating task needs a due date.")})
    if repeat.frequency not in RepeatFrequency.values:
        raise ValidationError({"repeat": _("Repeat daily, weekly or monthly.")})
    if not 1 <= (repeat.interval or 0) <= MAX_INTERVAL:
        raise ValidationError({"repeat_every": _("Repeat every 1 to 99 days, weeks or months.")})
    if repeat.times is not None and not 1 <= repeat.times <= MAX_TIMES:
        raise ValidationError({"repeat_times": _("Repeat 1 to 999 times.")})
    weekdays = sorted({d for d in repeat.weekdays if d in "0123456"})
    repeat.weekdays = "".join(weekdays) if repeat.frequency == RepeatFrequency.WEEKLY else ""
    repeat.time_zone = assignee.time_zone or settings.TIME_ZONE
    local = due_at.astimezone(recurrence.zone(repeat.time_zone))
    if repeat.until is not None and repeat.until < local.date():
        raise ValidationError({"repeat_until": _("The last day is before the first task.")})
    repeat.starts_on, repeat.anchor_day = local.date(), local.day
    return repeat


def next_occurrence(*, actor: User | None, task: Task) -> Task | None:
    """The task after `task` in its series, made if it is not there yet: due by the rule,
    its reminder as far ahead of it, with the same assignee, record, title and notes. None
    when the series has ended. Idempotent: the series' task numbers are unique, and the row
    of `task` is locked while the next one is made, so two ticks make one task."""
    rule = task.repeat
    if rule is None or task.due_at is None:
        return None
    Task.objects.select_for_update().filter(pk=task.pk).first()
    existing = Task.objects.filter(repeat=rule, occurrence=task.occurrence + 1).first()
    if existing is not None:
        return existing
    due_at = recurrence.next_due(rule, task.due_at, task.occurrence)
    if due_at is None:
        return None
    reminder_at = due_at - (task.due_at - task.reminder_at) if task.reminder_at else None
    try:
        with transaction.atomic():
            following = Task.objects.create(
                title=task.title,
                notes=task.notes,
                assignee=task.assignee,
                created_by=actor,
                due_at=due_at,
                reminder_at=reminder_at,
                priority=task.priority,
                content_type_id=task.content_type_id,
                object_id=task.object_id,
                repeat=rule,
                occurrence=task.occurrence + 1,
            )
    except IntegrityError:  # made by a tick that won the race
        return Task.objects.get(repeat=rule, occurrence=task.occurrence + 1)
    audit.log(actor=actor, action="create", record=following, after=audit.snapshot(following))
    if reminder_at is not None and reminder_at > timezone.now():
        _schedule_reminder(following, reminder_at)
    return following


@transaction.atomic
def reassign_tasks(*, actor: User, records: list[Task], to: User) -> int:
    """Open tasks pass to a colleague (a person leaving hands them over), each audited; a
    reminder still ahead reaches the new assignee, as it follows the task."""
    for task in records:
        before = audit.snapshot(task)
        task.assignee = to
        task.save(update_fields=["assignee"])
        audit.log(
            actor=actor, action="update", record=task, before=before, after=audit.snapshot(task)
        )
    return len(records)
