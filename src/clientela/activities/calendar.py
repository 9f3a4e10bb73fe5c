"""Meetings in calendars: a person's feed of meetings and due tasks at a secret address
(iCalendar, RFC 5545), and a meeting's invitation as an .ics for each attendee."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event, Todo, vCalAddress, vText

from clientela.activities.models import Activity, ActivityKind, MeetingAttendee, Task

if TYPE_CHECKING:
    from clientela.users.models import User

PRODID = "-//Clientela//Clientela CRM//EN"
FEED_PAST_DAYS = 180
FEED_MOST = 2000
DEFAULT_LENGTH = datetime.timedelta(hours=1)


def feed_owner(token: str) -> User | None:
    """The active person whose feed the secret address is, or None."""
    from clientela.users.models import User

    if not token or len(token) < 20:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()


def meetings_of(user: User, since: datetime.datetime) -> QuerySet[Activity]:
    """The meetings a person logged or is an attendee of, from `since` on."""
    attending = MeetingAttendee.objects.filter(user=user).values("activity_id")
    return (
        Activity.objects.filter(kind=ActivityKind.MEETING, occurred_at__gte=since)
        .filter(Q(author=user) | Q(pk__in=attending))
        .order_by("occurred_at", "pk")
    )


def _calendar(method: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _installation() -> str:
    """A mark of this installation, so two installations' meeting 1 are two events."""
    return hashlib.sha256(str(settings.SECRET_KEY).encode()).hexdigest()[:12]


def _uid(activity: Activity) -> str:
    return f"meeting-{activity.pk}-{_installation()}@clientela"


def _event(activity: Activity, now: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", _uid(activity))
    event.add("dtstamp", now)
    event.add("dtstart", activity.occurred_at)
    event.add("dtend", activity.ends_at or activity.occurred_at + DEFAULT_LENGTH)
    event.add("summary", activity.subject or str(activity.get_kind_display()))
    if activity.place:
        event.add("location", activity.place)
    if activity.body:
        event.add("description", activity.body)
    return event


def feed(user: User, *, now: datetime.datetime | None = None) -> bytes:
    """The person's calendar: meetings of the last months and ahead, and open tasks with
    a due time (as to-dos), every time in UTC."""
    now = now or timezone.now()
    calendar = _calendar()
    calendar.add("x-wr-calname", vText(f"Clientela · {user.display_name}"))
    since = now - datetime.timedelta(days=FEED_PAST_DAYS)
    for activity in meetings_of(user, since)[:FEED_MOST]:
        calendar.add_component(_event(activity, now))
    tasks = Task.objects.filter(assignee=user, due_at__isnull=False, done_at__isnull=True)
    for task in tasks.order_by("due_at", "pk")[:FEED_MOST]:
        todo = Todo()
        todo.add("uid", f"task-{task.pk}-{_installation()}@clientela")
        todo.add("dtstamp", now)
        todo.add("due", task.due_at)
        todo.add("summary", task.title)
        if task.notes:
            todo.add("description", task.notes)
        calendar.add_component(todo)
    return calendar.to_ical()


def invitation(activity: Activity, attendee: MeetingAttendee, organizer: User | None) -> bytes:
    """The meeting as an invitation (METHOD:REQUEST) to one attendee."""
    now = timezone.now()
    calendar = _calendar("REQUEST")
    event = _event(activity, now)
    if organizer is not None:
        address = vCalAddress(f"mailto:{organizer.email}")
        address.params["cn"] = vText(organizer.display_name)
        event.add("organizer", address)
    guest = vCalAddress(f"mailto:{attendee.email}")
    guest.params["cn"] = vText(attendee.name)
    guest.params["role"] = vText("REQ-PARTICIPANT")
    guest.params["rsvp"] = vText("TRUE")
    event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
