"""Timers in the API: start on a task, a ticket or a call, stop, list; the same services
and checks as the pages, and clear 4xx answers for what cannot be timed."""

from __future__ import annotations

import pytest

from clientela.activities import services as activity_services
from clientela.activities.models import Activity, TimeEntry
from clientela.customers import services as customers
from clientela.tickets import services as ticket_services

SCOPES = ("time-entries:write",)


@pytest.mark.django_db
def test_start_stop_and_list_timers(api_for, admin, two_teams):
    contact = customers.create_contact(actor=admin, data={"full_name": "Ion Vasile"})
    ticket = ticket_services.open_ticket(
        actor=admin, channel="ui", subject="Imprimanta", contact=contact, assignee=admin
    )
    task = activity_services.create_task(actor=admin, title="Ofertă", assignee=admin)
    api = api_for(admin, SCOPES)

    on_task = api.post("/api/v1/time-entries/", {"task_id": task.pk})
    assert on_task.status_code == 201, on_task.content
    assert on_task.json()["kind"] == "task" and on_task.json()["running"] is True
    on_ticket = api.post("/api/v1/time-entries/", {"record": f"ticket:{ticket.pk}"}).json()
    assert on_ticket["record"] == f"ticket:{ticket.pk}"
    # Starting the ticket's timer stopped the task's.
    first = api.get(f"/api/v1/time-entries/{on_task.json()['id']}").json()
    assert first["running"] is False and first["seconds"] is not None
    running = api.get("/api/v1/time-entries/?running=true").json()["items"]
    assert [entry["id"] for entry in running] == [on_ticket["id"]]

    stopped = api.post(f"/api/v1/time-entries/{on_ticket['id']}/stop", {})
    assert stopped.status_code == 201 and stopped.json()["running"] is False
    # Stopped already: said so, nothing changes.
    again = api.post(f"/api/v1/time-entries/{on_ticket['id']}/stop", {})
    assert again.status_code == 422 and "No timer of yours is running." in again.content.decode()

    call = api.post("/api/v1/time-entries/", {"record": f"contact:{contact.pk}", "call": True})
    ended = api.post(f"/api/v1/time-entries/{call.json()['id']}/stop", {}).json()
    assert Activity.objects.get(pk=ended["call_id"]).kind == "call"

    # Neither or both targets, a task of no one's, a record not seen: 4xx, nothing written.
    count = TimeEntry.objects.count()
    assert api.post("/api/v1/time-entries/", {}).status_code == 422
    assert api.post("/api/v1/time-entries/", {"task_id": 999999}).status_code == 422
    _bogdan, radu = two_teams
    theirs = api_for(radu, SCOPES)
    assert theirs.post("/api/v1/time-entries/", {"task_id": task.pk}).status_code == 422
    refused = theirs.post("/api/v1/time-entries/", {"record": f"ticket:{ticket.pk}"})
    assert refused.status_code == 422
    assert theirs.get(f"/api/v1/time-entries/{on_task.json()['id']}").status_code == 404
    assert theirs.get("/api/v1/time-entries/").json()["items"] == []
    assert TimeEntry.objects.count() == count
