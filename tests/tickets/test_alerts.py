"""Near and breached SLA targets are told to the assignee and the department's lead once,
however many times (and by however many workers) the check runs."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from clientela.jobs.interface import periodic_jobs
from clientela.notifications.models import Notification
from clientela.tickets import alerts, services
from clientela.tickets.models import Channel, Ticket


def open_(**extra):
    """A ticket of Support assigned to agent 2 (agent 1 leads Support)."""
    return services.open_ticket(
        actor=None, channel=Channel.WEB_FORM, subject="Cold oven", email="a@client.ro", **extra
    )


def due_in(ticket, minutes: int, field: str = "first_response_due") -> datetime.datetime:
    moment = ticket.created_at + datetime.timedelta(minutes=minutes)
    Ticket.objects.filter(pk=ticket.pk).update(**{field: moment})
    return ticket.created_at


@pytest.mark.django_db
def test_a_breach_is_told_to_the_assignee_and_the_lead_once(desk, agents):
    ticket = open_(assignee=agents[1])
    now = due_in(ticket, -5)  # the first answer was due five minutes ago
    assert alerts.notify_sla(now=now) == 2
    assert alerts.notify_sla(now=now + datetime.timedelta(minutes=1)) == 0
    told = Notification.objects.order_by("user_id")
    assert {n.user for n in told} == {agents[1], desk["support"].lead} == set(agents[:2])
    assert all(n.title == f"Ticket #{ticket.pk} missed its first-response target" for n in told)
    assert told[0].url == ticket.get_absolute_url()


@pytest.mark.django_db
def test_a_near_target_is_warned_of_then_its_breach_too(desk, agents, settings):
    settings.SLA_WARNING_MINUTES = 30
    ticket = open_(assignee=agents[1])
    now = due_in(ticket, 20)
    assert alerts.notify_sla(now=now) == 2  # due in 20 minutes: near
    assert alerts.notify_sla(now=now + datetime.timedelta(minutes=25)) == 2  # now breached
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {
        f"Ticket #{ticket.pk} needs a first answer soon",
        f"Ticket #{ticket.pk} missed its first-response target",
    }


@pytest.mark.django_db
def test_finished_waiting_and_far_tickets_are_left_alone(desk, agents):
    answered = open_()
    services.change_status(actor=None, ticket=answered, to="resolved", expected_version=None)
    waiting = open_()
    services.change_status(actor=None, ticket=waiting, to="waiting", expected_version=None)
    far = open_()
    now = due_in(far, 600)
    for ticket in (answered, waiting):
        due_in(ticket, -5)
    assert alerts.notify_sla(now=now) == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_checking_at_once_deliver_each_warning_once(desk, agents):
    ticket = open_(assignee=agents[1])
    now = due_in(ticket, -5)
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            alerts.notify_sla(now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Notification.objects.count() == 2


def test_the_check_runs_every_minute():
    every = {job.name: job.every for job in periodic_jobs()}
    assert every["clientela.tickets.tasks.notify_sla"] == datetime.timedelta(minutes=1)
