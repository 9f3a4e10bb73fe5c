"""Meetings' attendees and invitations: the colleagues and the person a meeting is with,
each invited once with an .ics file in their own language and time zone."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.activities.models import Activity, ActivityKind, MeetingAttendee

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User


def invite_later(activity: Activity) -> None:
    """The invitations go out from a worker once the meeting is saved."""
    from clientela.activities.tasks import send_meeting_invitations

    transaction.on_commit(lambda: jobs.enqueue(send_meeting_invitations, activity.pk))


def add_attendees(activity: Activity, record: Record, users: list[User]) -> None:
    """The colleagues named and, when the meeting is with a person, that person."""
    rows = [
        MeetingAttendee(
            activity=activity,
            user=user,
            name=user.display_name[:200],
            email=user.email,
            language=user.language,
        )
        for user in dict.fromkeys(users)
    ]
    if hasattr(record, "last_contacted_at"):  # a person, not a company or a deal
        rows.append(
            MeetingAttendee(
                activity=activity,
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                name=str(record)[:200],
                email=getattr(record, "email", "") or "",
                language=getattr(record, "language", "") or "",
            )
        )
    MeetingAttendee.objects.bulk_create(rows)


def send_meeting_invitations(*, activity_id: int) -> int:
    """E-mail each attendee not yet invited the meeting's .ics, in their language; the
    meeting's author organises it. Returns how many were sent."""
    from django.core.mail import EmailMessage
    from django.utils import translation

    from clientela.activities import calendar

    activity = (
        Activity.objects.filter(pk=activity_id, kind=ActivityKind.MEETING)
        .select_related("author")
        .first()
    )
    if activity is None:
        return 0
    sent = 0
    pending = activity.meeting_attendees.filter(invited_at__isnull=True).exclude(email="")
    for attendee in pending.exclude(user=activity.author) if activity.author else pending:
        zone = _zone_of(attendee)
        with translation.override(attendee.language or settings.LANGUAGE_CODE):
            start = timezone.localtime(activity.occurred_at, zone)
            title = activity.subject or _("Meeting")
            subject = _("Invitation: %(title)s") % {"title": title}
            body = _("%(organizer)s invites you to “%(title)s” on %(when)s (%(zone)s).") % {
                "organizer": activity.author.display_name if activity.author else "Clientela",
                "title": title,
                "when": formats.date_format(start, "DATETIME_FORMAT"),
                "zone": str(zone),
            }
            if activity.place:
                body += "\n" + _("Place: %(place)s") % {"place": activity.place}
        message = EmailMessage(subject, body, None, [attendee.email])
        message.attach(
            "invitation.ics",
            calendar.invitation(activity, attendee, activity.author),
            "text/calendar; method=REQUEST; charset=utf-8",
        )
        message.send()
        MeetingAttendee.objects.filter(pk=attendee.pk).update(invited_at=timezone.now())
        sent += 1
    return sent


def _zone_of(attendee: MeetingAttendee) -> zoneinfo.ZoneInfo:
    name = (attendee.user.time_zone if attendee.user_id and attendee.user else "") or (
        settings.TIME_ZONE
    )
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
