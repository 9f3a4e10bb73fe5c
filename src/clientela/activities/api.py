"""Timeline entries, tasks and timers in the API, through the same selectors and services
as the pages."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.activities import selectors, services, timers
from clientela.activities.models import (
    Activity,
    ActivityKind,
    CallDirection,
    Priority,
    RepeatFrequency,
    Task,
    TaskRepeat,
    TimeEntry,
)
from clientela.api.registry import DEFAULT_LIMIT, Action, Resource, register
from clientela.api.types import DateTime, Id, exactly_one_of, name_text, text
from clientela.core import records
from clientela.core.pagination import keyset_page
from clientela.users import selectors as user_selectors

RecordToken = text(60)


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    occurred_at: datetime.datetime
    author_id: int | None
    direction: str
    duration_seconds: int | None
    outcome: str
    ends_at: datetime.datetime | None
    place: str
    attendees: str
    channel: str
    created_at: datetime.datetime


class ActivityIn(Schema):
    record: RecordToken = Field(..., description="The record it is about: `contact:42`.")
    kind: Literal[tuple(ActivityKind.values)]
    subject: text(200) = ""
    body: text(20000) = ""
    occurred_at: DateTime | None = None
    direction: Literal[("", *CallDirection.values)] = ""
    duration_seconds: int | None = Field(None, ge=0, le=10**6)
    outcome: text(200) = ""
    ends_at: DateTime | None = None
    place: text(200) = ""
    attendees: text(500) = ""
    channel: text(40) = ""


class ActivityFilters(Schema):
    record: RecordToken | None = Field(None, description="One record's timeline: `contact:42`.")
    kind: Literal[tuple(ActivityKind.values)] | None = None


def _record(user, token: str, field: str = "record"):
    try:
        return records.visible_record(user, token)
    except Http404:
        raise ValidationError({field: _("There is no such record.")}) from None


def activity_out(activity: Activity, user) -> dict:
    fields = ("id", "kind", "occurred_at", "author_id", "created_at", *services.ACTIVITY_FIELDS)
    return {name: getattr(activity, name) for name in fields}


def activity_page(user, params: dict):
    kinds = [params["kind"]] if params.get("kind") else None
    if params.get("record"):
        record = records.visible_record(user, params["record"])
        return selectors.timeline(record, user=user, kinds=kinds, cursor=params.get("cursor"))
    queryset = selectors.activities_for(user)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return keyset_page(
        queryset,
        ["-occurred_at", "-id"],
        params.get("cursor"),
        params.get("limit") or DEFAULT_LIMIT,
    )


def create_activity(user, data: dict) -> Activity:
    record = _record(user, data.pop("record"))
    return services.log_activity(actor=user, record=record, kind=data.pop("kind"), **data)


register(
    Resource(
        name="activities",
        label="activity",
        model=Activity,
        out=ActivityOut,
        queryset=selectors.activities_for,
        serialize=activity_out,
        filters=ActivityFilters,
        page=activity_page,
        create_in=ActivityIn,
        create=create_activity,
        description="Timeline entries: notes, calls, meetings, e-mails, messages. With "
        "`record`, one record's timeline (25 a page), newest first.",
    )
)


class TaskRepeatIn(Schema):
    frequency: Literal[tuple(RepeatFrequency.values)]
    interval: int = Field(1, ge=1, le=99, description="Every this many days, weeks or months.")
    weekdays: list[int] = Field(
        [], description="Weekly only: Monday 0 … Sunday 6; the due date's weekday when empty."
    )
    until: datetime.date | None = Field(None, description="The last day a task may fall on.")
    times: int | None = Field(None, ge=1, le=999, description="How many tasks in all.")


class TaskRepeatOut(Schema):
    frequency: str
    interval: int
    weekdays: list[int]
    until: datetime.date | None
    times: int | None
    occurrence: int = Field(description="Which task of the series this one is, from 1.")


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    due_at: datetime.datetime | None
    reminder_at: datetime.datetime | None
    priority: str
    assignee_id: int
    record: str | None
    done: bool
    done_at: datetime.datetime | None
    created_at: datetime.datetime
    repeat: TaskRepeatOut | None


class TaskIn(Schema):
    title: name_text(200)
    notes: text(20000) = ""
    due_at: DateTime | None = None
    reminder_at: DateTime | None = Field(
        None, description="Before `due_at` when both are given; refused with 422 otherwise."
    )
    priority: Literal[tuple(Priority.values)] = Priority.NORMAL
    record: RecordToken | None = None
    assignee_id: Id | None = Field(None, description="Yourself when left out.")
    repeat: TaskRepeatIn | None = Field(
        None,
        description="Makes the task the first of a series (it needs `due_at`): the next "
        "task is made when this one is done.",
    )


class TaskUpdate(Schema):
    title: name_text(200) = None
    notes: text(20000) = None
    due_at: DateTime | None = Field(None, description="Reschedule it; `null` for no due date.")
    reminder_at: DateTime | None = Field(None, description="`null` for no reminder.")
    priority: Literal[tuple(Priority.values)] = None
    # Not null: a task always has someone. Left out, the assignee stays.
    assignee_id: Id = Field(None, description="Reassign it to this person.")  # type: ignore[assignment]
    done: bool | None = None


class TaskFilters(Schema):
    done: bool | None = None
    assignee_id: Id | None = Field(None, description="One person's tasks.")


def task_out(task: Task, user) -> dict:
    record = None
    if task.content_type_id and task.object_id:
        record = records.RecordRef(task.content_type_id, task.object_id).token
    return {
        "id": task.pk,
        "title": task.title,
        "notes": task.notes,
        "due_at": task.due_at,
        "reminder_at": task.reminder_at,
        "priority": task.priority,
        "assignee_id": task.assignee_id,
        "record": record,
        "done": task.done_at is not None,
        "done_at": task.done_at,
        "created_at": task.created_at,
        "repeat": _repeat_out(task),
    }


def _repeat_out(task: Task) -> dict | None:
    repeat = task.repeat  # joined by the list's queryset (tasks_with_repeat)
    if repeat is None:
        return None
    return {
        "frequency": repeat.frequency,
        "interval": repeat.interval,
        "weekdays": [int(day) for day in repeat.weekdays],
        "until": repeat.until,
        "times": repeat.times,
        "occurrence": task.occurrence,
    }


def tasks_with_repeat(user):
    return selectors.tasks_for(user).select_related("repeat")


def create_task(user, data: dict) -> Task:
    assignee = user
    if data.get("assignee_id"):
        assignee = user_selectors.active_person(data["assignee_id"])
        if assignee is None:
            raise ValidationError({"assignee_id": _("There is no such active user.")})
    record = _record(user, data["record"]) if data.get("record") else None
    rule = data.get("repeat")
    repeat = None
    if rule:
        repeat = TaskRepeat(
            frequency=rule["frequency"],
            interval=rule.get("interval") or 1,
            weekdays="".join(str(day) for day in rule.get("weekdays") or [] if 0 <= day <= 6),
            until=rule.get("until"),
            times=rule.get("times"),
        )
    return services.create_task(
        actor=user,
        title=data["title"],
        assignee=assignee,
        due_at=data.get("due_at"),
        reminder_at=data.get("reminder_at"),
        priority=data.get("priority", Priority.NORMAL),
        record=record,
        notes=data.get("notes", ""),
        repeat=repeat,
    )


def update_task(user, task: Task, data: dict, expected_version) -> Task:
    """Only the fields sent change: edited, rescheduled, reassigned, then marked done or
    not, all or nothing."""
    done = data.pop("done", None)
    changes = {
        name: data[name] for name in ("title", "notes", "due_at", "reminder_at") if name in data
    }
    if "priority" in data:
        changes["priority"] = data["priority"]
    if "assignee_id" in data:
        assignee = user_selectors.active_person(data["assignee_id"])
        if assignee is None:
            raise ValidationError({"assignee_id": _("There is no such active user.")})
        changes["assignee"] = assignee
    with transaction.atomic():
        if changes:
            task = services.update_task(actor=user, task=task, changes=changes)
        if done is not None:
            task = services.set_task_done(actor=user, task=task, done=done)
    return task


def filter_tasks(user, queryset, params: dict, raw):
    if params.get("done") is not None:
        queryset = queryset.filter(done_at__isnull=not params["done"])
    if params.get("assignee_id") is not None:
        queryset = queryset.filter(assignee_id=params["assignee_id"])
    return queryset


register(
    Resource(
        name="tasks",
        label="task",
        model=Task,
        out=TaskOut,
        queryset=tasks_with_repeat,
        serialize=task_out,
        sorts={"created": ["created_at", "id"]},
        default_sort="created",
        filters=TaskFilters,
        apply_filters=filter_tasks,
        create_in=TaskIn,
        create=create_task,
        update_in=TaskUpdate,
        update=update_task,
        description="The tasks you may change: assigned to you, given by you, and those of "
        "the people you oversee (a manager's team). Edit, reschedule (`due_at`) or reassign "
        '(`assignee_id`) one with PATCH; mark it done with `{"done": true}`.',
    )
)


class TimeEntryOut(Schema):
    id: int
    user_id: int
    kind: str = Field(description="`task`, `call` (with a record's customer) or `record`.")
    task_id: int | None
    record: str | None
    call_id: int | None = Field(description="The call logged when a call's timer stopped.")
    started_at: datetime.datetime
    stopped_at: datetime.datetime | None
    seconds: int | None
    running: bool


class TimerIn(Schema):
    # A task or a record, and a call only on a record.
    model_config = exactly_one_of(
        "task_id",
        "record",
        properties={
            "task_id": {"task_id": {"type": "integer"}, "call": {"const": False}},
            "record": {"record": {"type": "string", "minLength": 1}},
        },
    )

    task_id: Id | None = Field(None, description="Time this task (one you may change).")
    record: RecordToken | None = Field(None, description="Or this record: `ticket:42`.")
    call: bool = Field(False, description="With `record`: time a call with its customer.")


class TimeEntryFilters(Schema):
    running: bool | None = None
    user_id: Id | None = Field(None, description="One person's entries.")


def time_entry_out(entry: TimeEntry, user) -> dict:
    record = None
    if entry.content_type_id and entry.object_id:
        record = records.RecordRef(entry.content_type_id, entry.object_id).token
    return {
        "id": entry.pk,
        "user_id": entry.user_id,
        "kind": entry.kind,
        "task_id": entry.task_id,
        "record": record,
        "call_id": entry.activity_id,
        "started_at": entry.started_at,
        "stopped_at": entry.stopped_at,
        "seconds": entry.seconds,
        "running": entry.stopped_at is None,
    }


def start_timer(user, data: dict) -> TimeEntry:
    task = record = None
    if data.get("task_id"):
        task = selectors.changeable_tasks(user).filter(pk=data["task_id"]).first()
        if task is None:
            raise ValidationError({"task_id": _("There is no such task.")})
    if data.get("record"):
        record = _record(user, data["record"])
    return timers.start_timer(actor=user, task=task, record=record, call=data.get("call", False))


def filter_time_entries(user, queryset, params: dict, raw):
    if params.get("running") is not None:
        queryset = queryset.filter(stopped_at__isnull=params["running"])
    if params.get("user_id") is not None:
        queryset = queryset.filter(user_id=params["user_id"])
    return queryset


register(
    Resource(
        name="time-entries",
        label="time entry",
        model=TimeEntry,
        out=TimeEntryOut,
        queryset=timers.entries_for,
        serialize=time_entry_out,
        sorts={"started": ["-started_at", "-id"]},
        default_sort="started",
        filters=TimeEntryFilters,
        apply_filters=filter_time_entries,
        create_in=TimerIn,
        create=start_timer,
        actions=[
            Action(
                name="stop",
                summary="Stop a running timer and record its time",
                run=lambda user, entry, data, version: timers.stop_timer(actor=user, entry=entry),
                description="Only your own running timer stops; 400 otherwise. A call's "
                "timer logs the call, with its length, on the record's timeline.",
            )
        ],
        description="Time spent by the start/stop timer: yours and that of the people you "
        "oversee, newest first. POST starts your timer on a task (`task_id`), a record "
        "(`record`), or a call with a record's customer (`record` and `call`); the timer "
        "you had running stops first: one runs at a time.",
    )
)
