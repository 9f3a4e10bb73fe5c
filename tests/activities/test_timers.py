"""The start/stop timer on tasks, calls and tickets: one running per person, the time
recorded and audited, a call's timer logging the call, and nobody timing what they may
not see or work on."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities import services as activity_services
from clientela.activities import timers
from clientela.activities.models import Activity, TimeEntry
from clientela.core.models import AuditEntry
from clientela.customers import services as customers
from clientela.tickets import services as ticket_services

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def desk(make_user):
    """Ana (administrator) with a contact, a ticket from it and an open task on it."""
    ana = make_user(full_name="Ana Popescu", administrator=True)
    contact = customers.create_contact(actor=ana, data={"full_name": "Ion Vasile"})
    ticket = ticket_services.open_ticket(
        actor=ana, channel="ui", subject="Imprimanta", contact=contact, assignee=ana
    )
    task = activity_services.create_task(
        actor=ana, title="Pregătește oferta", assignee=ana, record=contact
    )
    return {"ana": ana, "contact": contact, "ticket": ticket, "task": task}


def audit_of(entry: TimeEntry) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(TimeEntry), object_id=entry.pk
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_a_timer_records_the_time_between_start_and_stop_audited(desk):
    ana, task = desk["ana"], desk["task"]
    started = timers.start_timer(actor=ana, task=task, now=T0)
    assert timers.running(ana) == started and started.seconds is None
    stopped = timers.stop_timer(actor=ana, now=T0 + 25 * MINUTE + datetime.timedelta(seconds=7))
    assert stopped.pk == started.pk and stopped.seconds == 25 * 60 + 7
    assert timers.running(ana) is None
    assert audit_of(stopped) == ["create", "update"]
    change = AuditEntry.objects.filter(object_id=stopped.pk, action="update").get()
    assert change.actor_id == ana.pk and change.changes["seconds"] == [None, 1507]


@pytest.mark.django_db
def test_starting_another_timer_stops_the_first(desk):
    ana = desk["ana"]
    on_task = timers.start_timer(actor=ana, task=desk["task"], now=T0)
    on_ticket = timers.start_timer(actor=ana, record=desk["ticket"], now=T0 + 10 * MINUTE)
    on_task.refresh_from_db()
    assert on_task.seconds == 600 and on_task.stopped_at == T0 + 10 * MINUTE
    assert timers.running(ana) == on_ticket and on_ticket.kind == "record"
    assert TimeEntry.objects.filter(user=ana, stopped_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_call_timer_logs_the_call_with_its_length(desk):
    ana, contact = desk["ana"], desk["contact"]
    timers.start_timer(actor=ana, record=contact, call=True, now=T0)
    entry = timers.stop_timer(actor=ana, now=T0 + 4 * MINUTE)
    call = Activity.objects.get(pk=entry.activity_id)
    assert (call.kind, call.duration_seconds, call.occurred_at) == ("call", 240, T0)
    assert call.links.filter(object_id=contact.pk).exists()


@pytest.mark.django_db
def test_bad_starts_are_refused_and_write_nothing(desk, two_teams):
    ana, task = desk["ana"], desk["task"]
    with pytest.raises(ValidationError, match="No timer of yours is running"):
        timers.stop_timer(actor=ana)
    with pytest.raises(ValidationError, match="one task or one record"):
        timers.start_timer(actor=ana)
    with pytest.raises(ValidationError, match="on a record, not on a task"):
        timers.start_timer(actor=ana, task=task, call=True)
    activity_services.set_task_done(actor=ana, task=task, done=True)
    with pytest.raises(ValidationError, match="This task is done"):
        timers.start_timer(actor=ana, task=task)
    # Another team's representative: not on Ana's task, not on a ticket he may not see.
    _bogdan, radu = two_teams
    task.done_at = None
    with pytest.raises(PermissionDenied):
        timers.start_timer(actor=radu, task=task)
    with pytest.raises(PermissionDenied):
        timers.start_timer(actor=radu, record=desk["contact"])
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_the_pages_start_and_stop_a_timer(client, desk):
    ana, ticket, task = desk["ana"], desk["ticket"], desk["task"]
    client.force_login(ana)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Start timer" in page and "data-timer-running" not in page
    started = client.post(
        "/timers/start/", {"record": f"ticket:{ticket.pk}", "next": f"/tickets/{ticket.pk}/"}
    )
    assert started.status_code == 302 and started["Location"] == f"/tickets/{ticket.pk}/"
    page = client.get(f"/tickets/{ticket.pk}/", follow=True).content.decode()
    assert "data-timer-running" in page and "Stop timer" in page
    # On the contact's page: which timer runs, and its Stop button.
    contact_page = client.get(desk["contact"].get_absolute_url()).content.decode()
    assert "Timer running on" in contact_page and "Imprimanta" in contact_page
    # A task's own button on My day starts its timer, stopping the ticket's.
    client.post("/timers/start/", {"task": task.pk, "next": "/my-day/"})
    day = client.get("/my-day/").content.decode()
    assert "Timer running on the task “Pregătește oferta”" in day
    stopped = client.post("/timers/stop/", {"next": "/my-day/"}, follow=True)
    assert "Timer stopped:" in stopped.content.decode()
    assert TimeEntry.objects.filter(stopped_at__isnull=True).count() == 0
    assert TimeEntry.objects.filter(seconds__isnull=False).count() == 2
    # Nothing to stop, or a record that does not exist: a message or a 404, no error.
    again = client.post("/timers/stop/", follow=True)
    assert "No timer of yours is running." in again.content.decode()
    assert client.post("/timers/start/", {"record": "ticket:999999"}).status_code == 404
    assert client.post("/timers/start/", {}).status_code == 404


@pytest.mark.django_db
def test_a_role_that_logs_nothing_is_offered_no_timer(client, desk, make_user):
    from clientela.users.services import role_named

    reader = make_user(email="dan@firma.ro", full_name="Dan Citește", role=role_named("read-only"))
    client.force_login(reader)
    page = client.get(f"/tickets/{desk['ticket'].pk}/")
    assert page.status_code == 200
    assert "Start timer" not in page.content.decode()
    refused = client.post("/timers/start/", {"record": f"ticket:{desk['ticket'].pk}"})
    assert refused.status_code == 302 and not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_seconds_counted_only_on_what_the_reader_may_see(desk, two_teams):
    ana = desk["ana"]
    from clientela.tickets.models import Ticket

    timers.start_timer(actor=ana, record=desk["ticket"], now=T0)
    timers.start_timer(actor=ana, task=desk["task"], now=T0 + 30 * MINUTE)
    timers.stop_timer(actor=ana, now=T0 + 40 * MINUTE)
    span = (T0 - MINUTE, T0 + datetime.timedelta(hours=1))
    assert timers.seconds_by(ana, [ana.pk], *span, Ticket) == {
        (ana.pk, "record"): 1800,
        (ana.pk, "task"): 600,
    }
    _bogdan, radu = two_teams
    assert timers.seconds_by(radu, [ana.pk], *span, Ticket) == {}
