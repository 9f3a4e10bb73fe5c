"""Every read of timelines, tasks and files, limited to records the user may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    MeetingAttendee,
    Task,
    TimelineLink,
)
from clientela.core import records
from clientela.core.models import model_of
from clientela.core.pagination import Page, keyset_page
from clientela.users import selectors as user_selectors
from clientela.users.models import User

TIMELINE_PAGE = 25


def _record_filter(record) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(record),
        "object_id": record.pk,
    }


def timeline(
    record,
    *,
    user,
    kinds: list[str] | None = None,
    cursor: str | None = None,
    others: bool = True,
    annotations: dict[str, Any] | None = None,
) -> Page:
    """One page of a record's timeline, newest first; the caller has checked the record is
    visible to `user` (it came from a selector). Without `others`, the entries do not name
    the other records they are about (a page that never shows them reads none);
    `annotations` are read with the entries, in the same query (what an app above knows
    of its own entries)."""
    links = TimelineLink.objects.filter(**_record_filter(record))
    if kinds:
        links = links.filter(kind__in=kinds)
    page = keyset_page(
        links.only("id", "activity_id", "occurred_at"),
        ["-occurred_at", "-activity_id"],
        cursor,
        TIMELINE_PAGE,
    )
    activities = (
        Activity.objects.filter(pk__in=[link.activity_id for link in page.items])
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .annotate(**(annotations or {}))
    )
    by_id = {activity.pk: activity for activity in activities}
    page.items = [by_id[link.activity_id] for link in page.items if link.activity_id in by_id]
    if others:
        _attach_other_records(page.items, record, user)
    else:
        for activity in page.items:
            activity.others = []
    _attach_attendees(page.items)
    return page


def _attach_attendees(activities: list[Activity]) -> None:
    """Each meeting's `attendee_list` (colleagues, then the customer): one query for the
    page's meetings, none when it has none."""
    meetings = [a for a in activities if a.kind == ActivityKind.MEETING]
    found: dict[int, list[MeetingAttendee]] = {}
    if meetings:
        rows = MeetingAttendee.objects.filter(activity__in=meetings).order_by(
            F("user_id").asc(nulls_last=True), "id"
        )
        for row in rows:
            found.setdefault(row.activity_id, []).append(row)
    for activity in activities:
        activity.attendee_list = found.get(activity.pk, [])


def _attach_other_records(activities: list[Activity], record, user) -> None:
    """Each entry's `others`: the records it is about besides `record` (on a company's
    timeline, the contact the call was with) that `user` may see; one the user may not
    see is left out, name and all. Two queries per page, not one per entry."""
    here = _record_filter(record)
    links = list(
        TimelineLink.objects.filter(activity_id__in=[a.pk for a in activities]).exclude(
            content_type=here["content_type"], object_id=here["object_id"]
        )
    )
    _attach_records(links, user)
    others: dict[int, list] = {}
    for link in links:
        if link.record is not None:
            others.setdefault(link.activity_id, []).append(link.record)
    for activity in activities:
        activity.others = [
            other
            for other in others.get(activity.pk, [])
            if other.__class__ is not record.__class__ or other.pk != record.pk
        ]


def meetings_held(record) -> int:
    """Meetings on this record's timeline that have started."""
    return TimelineLink.objects.filter(
        **_record_filter(record), kind=ActivityKind.MEETING, occurred_at__lte=timezone.now()
    ).count()


def note_texts(record) -> set[str]:
    """The texts of the notes on this record's timeline (a re-import adds only new ones)."""
    links = TimelineLink.objects.filter(**_record_filter(record), kind=ActivityKind.NOTE)
    return set(Activity.objects.filter(links__in=links).values_list("body", flat=True))


def timeline_counts(record) -> dict[str, int]:
    rows = (
        TimelineLink.objects.filter(**_record_filter(record)).values("kind").annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def open_tasks_for_record(record) -> QuerySet[Task]:
    return (
        Task.objects.filter(**_record_filter(record), done_at__isnull=True)
        .select_related("assignee")
        .order_by("due_at", "id")
    )


def files_for_record(record) -> QuerySet[Attachment]:
    return Attachment.objects.filter(**_record_filter(record), activity__isnull=True).order_by(
        "-created_at"
    )


def attachment_for(user, pk: int) -> Attachment:
    """A file the user may download: its record must be visible to them."""
    attachment = Attachment.objects.select_related("content_type").get(pk=pk)
    model = model_of(attachment.content_type)
    if not records.visible(user, model).filter(pk=attachment.object_id).exists():
        raise Attachment.DoesNotExist
    return attachment


def my_day(user, *, now: datetime.datetime | None = None) -> dict[str, list[Task]]:
    """The user's open tasks: overdue, due today (in their time zone), upcoming, undated."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    tasks = list(
        Task.objects.filter(assignee=user, done_at__isnull=True)
        .select_related("content_type")
        .order_by("due_at", "id")[:500]
    )
    _attach_records(tasks, user)
    groups: dict[str, list[Task]] = {"overdue": [], "today": [], "upcoming": [], "someday": []}
    for task in tasks:
        if task.due_at is None:
            groups["someday"].append(task)
        elif task.due_at < now:
            groups["overdue"].append(task)
        elif task.due_at < end:
            groups["today"].append(task)
        else:
            groups["upcoming"].append(task)
    return groups


def _attach_records(rows: list, user) -> None:
    """Set `row.record` on tasks or timeline links from their (content type, object id):
    the record if `user` may see it (live, within their role's scope), else None with
    `row.record_hidden` set, so a page says "a record you cannot see" and never its name.
    One query per record type, not one per row."""
    wanted: dict[int, set[int]] = {}
    for row in rows:
        if row.content_type_id:
            wanted.setdefault(row.content_type_id, set()).add(row.object_id)
    loaded = {}
    for content_type_id, ids in wanted.items():
        model = model_of(ContentType.objects.get_for_id(content_type_id))
        for found in records.visible(user, model).filter(pk__in=ids):
            loaded[(content_type_id, found.pk)] = found
    for row in rows:
        row.record = loaded.get((row.content_type_id, row.object_id))
        row.record_hidden = bool(row.content_type_id) and row.record is None


def with_records(tasks: list[Task], user) -> list[Task]:
    """Tasks with the records they are about, as `user` may see them (`_attach_records`)."""
    _attach_records(tasks, user)
    return tasks


def visible_link(user) -> Exists:
    """Whether the timeline entry of the outer query (its `pk`) is linked to at least one
    record `user` may see: per record type, that type's links whose record is among the
    type's visible ones, each checked by its primary key. Said as an EXISTS, so a count
    over a period reads that period's entries and their few links, not first every
    visible link of every record type (`pk__in` their union)."""
    seen = Q(pk__in=[])
    for model in records.record_models().values():
        content_type = ContentType.objects.get_for_model(model)
        record = records.visible(user, model).filter(pk=OuterRef("object_id"))
        seen |= Q(content_type=content_type) & Q(Exists(record))
    return Exists(TimelineLink.objects.filter(seen, activity_id=OuterRef("pk")))


def activities_for(user) -> QuerySet[Activity]:
    """Timeline entries on at least one record the user may see."""
    return Activity.objects.filter(visible_link(user)).select_related("author")


def tasks_for(user, overseen: set[int] | None = None) -> QuerySet[Task]:
    """The tasks the API lists to a person: those they may change (`changeable_tasks`)."""
    return changeable_tasks(user, overseen)


def overseen_ids(user, people: list[User] | None = None) -> set[int]:
    """The person and the people whose tasks they oversee (users.selectors.overseen: a
    manager's team); `people`: that list, when the caller has read it already."""
    return {
        person.pk for person in (people if people is not None else user_selectors.overseen(user))
    }


def may_change_task(user, task: Task, overseen: set[int] | None = None) -> bool:
    """Whether the person may edit, reschedule or reassign the task, as far as people go:
    it is theirs, they gave it, or they oversee its assignee. The record it is on is the
    service's own check."""
    if task.assignee_id == user.pk or task.created_by_id == user.pk:
        return True
    return task.assignee_id in (overseen if overseen is not None else overseen_ids(user))


def mark_changeable(user, tasks: list[Task]) -> list[Task]:
    """Set `task.changeable` on each, for the page to offer its edit form; the people the
    user oversees are read once, and only when a task is neither theirs nor given by them."""
    overseen: set[int] | None = None
    for task in tasks:
        if task.assignee_id != user.pk and task.created_by_id != user.pk and overseen is None:
            overseen = overseen_ids(user)
        task.changeable = may_change_task(user, task, overseen)
    return tasks


def changeable_tasks(user, overseen: set[int] | None = None) -> QuerySet[Task]:
    """Tasks the person may change: assigned to them, given by them, or their team's when
    they oversee it (`overseen`, when the caller has read `overseen_ids` already)."""
    overseen = overseen if overseen is not None else overseen_ids(user)
    return Task.objects.filter(
        Q(assignee_id__in=overseen) | Q(created_by_id=user.pk)
    ).select_related("assignee", "content_type")


def task_for_change(user, pk: int) -> Task:
    """A task the person may change; DoesNotExist (a 404) for any other."""
    return changeable_tasks(user).get(pk=pk)


def task_record(task: Task, user):
    """The live record a task is on, if `user` may see it (None is the system: any live
    record); None without one."""
    if not task.content_type_id:
        return None
    model = model_of(ContentType.objects.get_for_id(task.content_type_id))
    if user is not None:
        return records.visible(user, model).filter(pk=task.object_id).first()
    record = model._default_manager.filter(pk=task.object_id).first()
    return record if getattr(record, "deleted_at", None) is None else None


# Where tasks without a due date sort in the team's list: after every dated one.
UNDATED = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
TEAM_TASKS_PAGE = 50


def team_tasks(
    user,
    member_ids: list[int],
    *,
    overdue: bool = False,
    cursor: str | None = None,
    limit: int = TEAM_TASKS_PAGE,
    now: datetime.datetime | None = None,
) -> Page:
    """One page of the open tasks of `member_ids` (the people `user` oversees, or one of
    them), the most overdue first and the undated last; with `overdue`, only those past
    due. The records they are on as `user` may see them."""
    tasks = Task.objects.filter(assignee_id__in=member_ids, done_at__isnull=True)
    if overdue:
        tasks = tasks.filter(due_at__lt=now or timezone.now())
    tasks = tasks.annotate(
        due_key=Coalesce("due_at", Value(UNDATED, output_field=DateTimeField()))
    ).select_related("assignee", "content_type")
    page = keyset_page(tasks, ["due_key", "id"], cursor, limit)
    _attach_records(page.items, user)
    return page


def team_workload(member_ids: list[int], *, now: datetime.datetime | None = None) -> dict:
    """Per member: open tasks, overdue tasks, activities logged in the last 7 days; two
    grouped queries, whatever the team's size."""
    now = now or timezone.now()
    tasks = (
        Task.objects.filter(assignee_id__in=member_ids, done_at__isnull=True)
        .values("assignee_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    )
    logged = (
        Activity.objects.filter(
            author_id__in=member_ids, occurred_at__gte=now - datetime.timedelta(days=7)
        )
        .values("author_id")
        .annotate(count=Count("id"))
    )
    numbers = {pk: {"open": 0, "overdue": 0, "logged_7d": 0} for pk in member_ids}
    for row in tasks:
        numbers[row["assignee_id"]].update(open=row["open"], overdue=row["overdue"])
    for logged_row in logged:
        numbers[logged_row["author_id"]]["logged_7d"] = logged_row["count"]
    return numbers


def team_overdue(user, member_ids: list[int], limit: int = 8) -> list[Task]:
    """The team's tasks most overdue, with their records as `user` (the manager looking)
    may see them, for a manager's home page."""
    tasks = list(
        Task.objects.filter(
            assignee_id__in=member_ids, done_at__isnull=True, due_at__lt=timezone.now()
        )
        .select_related("assignee", "content_type")
        .order_by("due_at", "id")[:limit]
    )
    _attach_records(tasks, user)
    return tasks
