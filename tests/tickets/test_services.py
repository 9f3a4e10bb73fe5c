"""Opening a ticket from any channel, answering it, moving it through the statuses the
business allows, transferring it: each step kept in its history, on the customer's
timeline, and raised as a webhook event."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.activities import selectors as activity_selectors
from clientela.core import audit
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.tickets import services
from clientela.tickets.models import Channel, StatusTransition, TicketMessage
from clientela.webhooks.models import Delivery, Subscription

UTC = datetime.UTC


def open_(**extra):
    extra.setdefault("email", "maria@client.ro")
    return services.open_ticket(
        actor=extra.pop("actor", None),
        channel=extra.pop("channel", Channel.WEB_FORM),
        subject=extra.pop("subject", "The oven is cold"),
        description=extra.pop("description", "Since Monday."),
        **extra,
    )


@pytest.mark.django_db
def test_a_request_by_email_finds_the_contact_or_creates_one(desk):
    known = customers.create_contact(
        actor=None, data={"full_name": "Maria Client", "emails": ["maria@client.ro"]}
    )
    assert open_(email="MARIA@client.ro").contact == known
    stranger = open_(email="new.person@client.ro", name="New Person").contact
    assert stranger.full_name == "New Person"
    assert stranger.email == "new.person@client.ro"
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_the_ticket_appears_on_the_customers_timeline_with_its_files(
    desk, admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    company = customers.create_company(actor=None, data={"name": "Brutăria SRL"})
    contact = customers.create_contact(
        actor=None, data={"full_name": "Maria", "emails": ["maria@client.ro"], "company": company}
    )
    ticket = open_(attachments=[SimpleUploadedFile("photo.pdf", b"%PDF oven")])
    assert ticket.contact == contact and ticket.company == company
    for record in (contact, company, ticket):
        subjects = [
            entry.subject for entry in activity_selectors.timeline(record, user=admin).items
        ]
        assert f"Ticket #{ticket.pk} opened: The oven is cold" in subjects
    first = TicketMessage.objects.get(ticket=ticket)
    assert first.from_customer and first.activity.body == "Since Monday."
    assert [a.name for a in first.activity.attachments.all()] == ["photo.pdf"]


@pytest.mark.django_db
def test_due_times_come_from_the_policy_and_the_departments_hours(desk):
    ticket = open_(priority="urgent")
    assert ticket.first_response_due is not None and ticket.resolution_due is not None
    assert ticket.first_response_due < ticket.resolution_due
    assert ticket.first_response_due.hour in range(9, 19)


@pytest.mark.django_db
def test_a_public_reply_is_the_first_response_and_opens_the_ticket(desk, agents):
    ticket = open_()
    assert ticket.status == "new" and ticket.first_responded_at is None
    services.reply(actor=agents[0], ticket=ticket, body="Checking now.", internal=True)
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.first_responded_at is None
    services.reply(actor=agents[0], ticket=ticket, body="We send a technician.")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.first_responded_at is not None
    kinds = list(
        TicketMessage.objects.filter(ticket=ticket).values_list("internal", "from_customer")
    )
    assert kinds == [(False, True), (True, False), (False, False)]


@pytest.mark.django_db
def test_statuses_follow_the_businesss_table_and_each_move_is_in_the_history(desk, agents):
    ticket = open_()
    services.change_status(actor=agents[0], ticket=ticket, to="resolved", expected_version=None)
    with pytest.raises(ValidationError, match="can't be marked"):
        services.change_status(actor=agents[0], ticket=ticket, to="waiting", expected_version=None)
    StatusTransition.objects.create(from_status="resolved", to_status="waiting")
    services.change_status(actor=agents[0], ticket=ticket, to="waiting", expected_version=None)
    moves = [
        entry.changes["status"]
        for entry in reversed(audit.history(ticket))
        if "status" in entry.changes and entry.action != "create"
    ]
    assert moves == [["new", "resolved"], ["resolved", "waiting"]]


@pytest.mark.django_db
def test_waiting_on_the_customer_stops_the_clock_and_resuming_shifts_the_due_time(desk, agents):
    ticket = open_()
    monday_10 = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    ticket.resolution_due = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    ticket.save(update_fields=["resolution_due"])
    services.change_status(
        actor=agents[0], ticket=ticket, to="waiting", expected_version=None, now=monday_10
    )
    assert ticket.sla_paused_at == monday_10
    services.change_status(
        actor=agents[0],
        ticket=ticket,
        to="open",
        expected_version=None,
        now=monday_10 + datetime.timedelta(hours=2),
    )
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.resolution_due == datetime.datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_transfer_needs_a_reason_and_keeps_it_in_the_history(desk, agents):
    ticket = open_()
    assert ticket.department == desk["support"]
    with pytest.raises(ValidationError):
        services.transfer(
            actor=agents[0],
            ticket=ticket,
            department=desk["billing"],
            reason=" ",
            expected_version=None,
        )
    services.transfer(
        actor=agents[0],
        ticket=ticket,
        department=desk["billing"],
        reason="It is about an invoice",
        expected_version=ticket.version,
    )
    ticket.refresh_from_db()
    assert ticket.department == desk["billing"] and ticket.owner == agents[2]
    entry = audit.history(ticket).first()
    assert entry.action == "transfer"
    assert entry.changes["department"] == ["Support", "Billing"]
    assert entry.changes["reason"] == ["", "It is about an invoice"]


@pytest.mark.django_db
def test_a_stale_version_is_refused(desk, agents):
    from clientela.core.concurrency import StaleRecordError

    ticket = open_()
    old = ticket.version - 1
    with pytest.raises(StaleRecordError):
        services.change_status(actor=agents[0], ticket=ticket, to="open", expected_version=old)


@pytest.mark.django_db
def test_roles_without_ticket_scopes_may_not_open_or_change_tickets(desk, make_user, agents):
    from clientela.users.services import role_named

    reader = make_user(email="reader@firma.ro", role=role_named("read-only"))
    with pytest.raises(PermissionDenied):
        open_(actor=reader)
    ticket = open_()
    with pytest.raises(PermissionDenied):
        services.reply(actor=reader, ticket=ticket, body="hi")
    # A support agent may answer a ticket assigned to someone else.
    assert ticket.owner != agents[1]
    services.reply(actor=agents[1], ticket=ticket, body="I can help")


@pytest.mark.django_db
def test_created_assigned_and_resolved_are_webhook_events(desk, agents, admin):
    Subscription.objects.create(
        owner=admin,
        url="http://127.0.0.1:9/hook",
        events=["ticket.created", "ticket.assigned", "ticket.resolved"],
        secret="s",
    )
    ticket = open_()
    services.change_status(actor=agents[0], ticket=ticket, to="resolved", expected_version=None)
    events = list(Delivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["ticket.created", "ticket.assigned", "ticket.resolved"]
    assert Delivery.objects.first().payload["data"]["subject"] == "The oven is cold"
