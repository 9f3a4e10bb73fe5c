"""Meetings in calendars: attendees (colleagues and the contact), a per-person iCal feed at
a secret, revocable address, and .ics invitations in each attendee's language."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clientela.activities import meetings, selectors, services
from clientela.activities.models import Activity, ActivityKind, MeetingAttendee
from clientela.customers import services as customer_services
from clientela.users import services as user_services

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def contact(user):
    contact = customer_services.quick_add_contact(
        actor=user, name="Elena Ruiz", email="elena@cliente.es"
    )
    type(contact).objects.filter(pk=contact.pk).update(language="es")
    contact.refresh_from_db()
    return contact


@pytest.fixture
def colleague(make_user):
    return make_user(email="mihai@firma.ro", full_name="Mihai Ionescu")


def _meeting(user, contact, colleague, **extra):
    return services.log_activity(
        actor=user,
        record=contact,
        kind=ActivityKind.MEETING,
        occurred_at=START,
        subject="Oferta 2027",
        ends_at=START + datetime.timedelta(hours=1),
        place="Cluj",
        attendee_users=[colleague],
        **extra,
    )


def test_a_meeting_has_its_colleagues_and_contact_as_attendees(user, contact, colleague):
    meeting = _meeting(user, contact, colleague)
    names = [a.name for a in meeting.meeting_attendees.order_by("id")]
    assert names == ["Mihai Ionescu", "Elena Ruiz"]
    page = selectors.timeline(contact, user=user)
    assert [a.name for a in page.items[0].attendee_list] == ["Mihai Ionescu", "Elena Ruiz"]
    assert selectors.meetings_held(contact) == 0  # still ahead: counted once it started


def test_invitations_go_out_once_in_each_attendee_s_language(
    user, contact, colleague, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services.jobs, "enqueue", lambda task, *a, **k: task.func(*a, **k))
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(user, contact, colleague, invite=True)
    assert sorted(m.to[0] for m in mailoutbox) == ["elena@cliente.es", "mihai@firma.ro"]
    to_contact = next(m for m in mailoutbox if m.to == ["elena@cliente.es"])
    assert to_contact.subject.startswith("Invitación")
    name, content, mimetype = to_contact.attachments[0]
    assert (name, mimetype.split(";")[0]) == ("invitation.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Oferta 2027"
    assert event.decoded("dtstart") == START
    assert "elena@cliente.es" in str(event["attendee"])
    assert meetings.send_meeting_invitations(activity_id=meeting.pk) == 0  # none twice
    assert MeetingAttendee.objects.filter(invited_at__isnull=True).count() == 0


def test_the_feed_lists_meetings_and_due_tasks_at_a_revocable_address(
    client, user, contact, colleague
):
    _meeting(user, contact, colleague)
    services.create_task(
        actor=user, title="Send the offer", assignee=user, due_at=START, record=contact
    )
    token = user_services.renew_calendar_token(actor=user)
    url = reverse("activities:calendar-feed", args=[token])
    response = client.get(url)  # no login: the calendar app holds the address alone
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Oferta 2027"]
    assert [str(t["summary"]) for t in calendar.walk("VTODO")] == ["Send the offer"]
    # The colleague attends: the meeting is in their feed too.
    colleague_url = reverse(
        "activities:calendar-feed", args=[user_services.renew_calendar_token(actor=colleague)]
    )
    assert b"Oferta 2027" in client.get(colleague_url).content

    user_services.renew_calendar_token(actor=user)
    assert client.get(url).status_code == 404
    user_services.revoke_calendar_token(actor=user)
    user.refresh_from_db()
    assert user.calendar_token == ""
    assert client.get(reverse("activities:calendar-feed", args=["x" * 43])).status_code == 404


def test_the_account_page_makes_and_turns_off_the_feed(client, user):
    client.force_login(user)
    page = reverse("users:calendar-feed")
    assert "You have no calendar feed." in client.get(page).content.decode()
    client.post(page, {"action": "renew"})
    user.refresh_from_db()
    assert user.calendar_token in client.get(page).content.decode()
    client.post(page, {"action": "revoke"})
    user.refresh_from_db()
    assert user.calendar_token == ""


def test_the_composer_logs_a_meeting_with_colleagues(client, user, contact, colleague):
    client.force_login(user)
    client.post(
        reverse("activities:log-activity", args=[f"contact:{contact.pk}"]),
        {
            "kind": "meeting",
            "subject": "Demo",
            "occurred_at": "2026-12-10T11:00",
            "attendee_users": [str(colleague.pk)],
        },
    )
    meeting = Activity.objects.get(kind=ActivityKind.MEETING)
    assert meeting.meeting_attendees.filter(user=colleague).exists()
    assert timezone.is_aware(meeting.occurred_at)
