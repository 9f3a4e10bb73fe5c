"""Many timeline entries or tasks written at once (an import's batch): the same checks,
rows, links, last-activity dates, audit entries and notifications as the one-at-a-time
services, in a few statements."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone

from clientela.activities import meetings
from clientela.activities.models import Activity, ActivityKind, Task, TimelineLink
from clientela.activities.services import (
    CONTACT_KINDS,
    _may_log,
    _tell_assignee,
    event_targets,
    prepare_activity,
    timeline_links,
)
from clientela.core import audit, bulk, phrases
from clientela.core.records import timeline_records

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User


def log_notes(*, actor: User | None, notes: list[tuple[Record, str]]) -> list[Activity]:
    """Many notes at once, each on its record's timeline (an import's batch): the checks,
    rows and audit entries `log_activity` writes for a note, in a few statements."""
    now = timezone.now()
    return log_activities(
        actor=actor,
        entries=[
            (
                record,
                prepare_activity(actor=actor, kind=ActivityKind.NOTE, occurred_at=now, body=body),
            )
            for record, body in notes
        ],
    )


@transaction.atomic
def log_activities(*, actor: User | None, entries: list[tuple[Record, Activity]]) -> list[Activity]:
    """Many checked timeline entries (`prepare_activity`) at once, each on its record's
    timeline and those it rolls up into (an import's batch): the rows, links, the records'
    last activity and audit entries `log_activity` writes, in a few statements."""
    if not entries:
        return []
    checked: set[tuple[type, int]] = set()
    for record, _activity in entries:
        if (type(record), record.pk) not in checked:
            _may_log(actor, record)
            checked.add((type(record), record.pk))
    activities = bulk.insert(Activity, [activity for _record, activity in entries])
    links = []
    marks: dict[tuple[type, int], tuple[Record, datetime.datetime, datetime.datetime | None]] = {}
    for record, activity in entries:
        talked = activity.kind in CONTACT_KINDS
        linked_records = timeline_records(record)
        links.extend(timeline_links(activity, linked_records))
        for linked in linked_records:
            _, last, contacted = marks.get((type(linked), linked.pk), (linked, None, None))
            marks[(type(linked), linked.pk)] = (
                linked,
                max(last or activity.occurred_at, activity.occurred_at),
                max(contacted or activity.occurred_at, activity.occurred_at)
                if talked
                else contacted,
            )
        if activity.kind == ActivityKind.MEETING:
            meetings.add_attendees(activity, record, [])
    bulk.insert(TimelineLink, links)
    by_model: dict[type[Record], list] = {}
    for item in marks.values():
        by_model.setdefault(type(item[0]), []).append(item)
    for model, items in by_model.items():
        _mark_many(model, "last_activity_at", [(record, last) for record, last, _c in items])
        if hasattr(model, "last_contacted_at"):  # people, not their companies or deals
            reached = [(record, at) for record, _l, at in items if at is not None]
            _mark_many(model, "last_contacted_at", reached)
    audit.log_created(actor=actor, records=activities)
    return activities


@transaction.atomic
def record_events(
    *,
    actor: User | None,
    events: list[tuple[list[Record], str, str | phrases.Phrase, str | phrases.Phrase]],
) -> list[Activity]:
    """`record_event` for many events at once (an import's batch of orders): each
    (records, kind, subject, body) on the timelines of its records and those they roll up
    into, now; the calling service has checked the changes are allowed."""
    now = timezone.now()
    author = actor if actor is not None and actor.pk else None
    activities, targets = [], []
    for records, kind, subject, body in events:
        subject_text, subject_phrase = phrases.written(subject)
        body_text, body_phrase = phrases.written(body)
        activities.append(
            Activity(
                kind=kind,
                subject=subject_text[:200],
                body=body_text,
                subject_phrase=subject_phrase,
                body_phrase=body_phrase,
                occurred_at=now,
                author=author,
            )
        )
        targets.append(event_targets(records))
    bulk.insert(Activity, activities)
    links = []
    marked: dict[type[Record], dict[int, tuple[Record, bool]]] = {}
    for activity, linked in zip(activities, targets, strict=True):
        talked = activity.kind in CONTACT_KINDS
        links.extend(timeline_links(activity, linked))
        for record in linked:
            seen = marked.setdefault(type(record), {})
            seen[record.pk] = (record, talked or seen.get(record.pk, (record, False))[1])
    bulk.insert(TimelineLink, links)
    for model, items in marked.items():
        _mark_many(model, "last_activity_at", [(record, now) for record, _t in items.values()])
        if hasattr(model, "last_contacted_at"):  # people, not their companies or deals
            reached = [(record, now) for record, talked in items.values() if talked]
            _mark_many(model, "last_contacted_at", reached)
    return activities


def _mark_many(
    model: type[Record], name: str, marks: list[tuple[Record, datetime.datetime]]
) -> None:
    """`_mark_activity` for many records of one model: each one's `name` moved forward to
    its time, in one statement per few hundred records. Records marked with the same time
    (an import's notes, all written now) are moved by one plain statement; differing
    times by a CASE naming each record's own."""
    by_time: dict[datetime.datetime, list[Record]] = {}
    for record, when in marks:
        by_time.setdefault(when, []).append(record)
    if len(by_time) <= SAME_TIME_STATEMENTS:
        for when, records in by_time.items():
            for start in range(0, len(records), 500):
                _move_forward(model, name, records[start : start + 500], Value(when))
    else:
        for start in range(0, len(marks), 300):
            chunk = marks[start : start + 300]
            newest = Case(
                *[When(pk=record.pk, then=Value(when)) for record, when in chunk],
                output_field=DateTimeField(),
            )
            _move_forward(model, name, [record for record, _when in chunk], newest)
    for record, when in marks:
        if getattr(record, name) is None or when > getattr(record, name):
            setattr(record, name, when)


# Up to this many distinct times, one plain UPDATE per time is cheaper to build and run
# than a CASE over every record.
SAME_TIME_STATEMENTS = 3


def _move_forward(model: type[Record], name: str, records: list[Record], newest) -> None:
    model._default_manager.filter(
        Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lt": newest}),
        pk__in=[record.pk for record in records],
    ).update(**{name: newest})


@transaction.atomic
def create_tasks(*, actor: User | None, tasks: list[tuple[Record | None, Task]]) -> list[Task]:
    """Many checked tasks (`prepare_task`) at once (an import's batch): the rows, audit
    entries and the assignees' bell notifications `create_task` writes, in a few
    statements (a notification for each task given to someone else)."""
    checked: set[tuple[type, int]] = set()
    for record, _task in tasks:
        if record is not None and (type(record), record.pk) not in checked:
            _may_log(actor, record)
            checked.add((type(record), record.pk))
    created = bulk.insert(Task, [task for _record, task in tasks])
    audit.log_created(actor=actor, records=created)
    for task in created:
        if actor is not None and task.assignee_id != actor.pk:
            _tell_assignee(actor, task)
    return created
