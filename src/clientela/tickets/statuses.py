"""A ticket's status moves: the business's table of allowed moves, and the one move that
stops and resumes the SLA clock around waiting on the customer."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind
from clientela.core import audit, phrases
from clientela.core.concurrency import claim_version
from clientela.tickets import sla, surveys
from clientela.tickets.configuration import ensure_defaults
from clientela.tickets.departments import calendar_of
from clientela.tickets.models import DONE, StatusTransition, Ticket, TicketStatus
from clientela.tickets.writing import check_choice, may_edit, saved
from clientela.users.models import User


def allowed_statuses(status: str) -> list[str]:
    """The statuses a ticket in `status` may move to, by the business's table."""
    allowed = list(
        StatusTransition.objects.filter(from_status=status).values_list("to_status", flat=True)
    )
    if not allowed and not StatusTransition.objects.exists():
        ensure_defaults()
        return allowed_statuses(status)
    return allowed


STATUS_FIELDS = [
    "status",
    "status_changed_at",
    "resolved_at",
    "sla_paused_at",
    "first_response_due",
    "resolution_due",
]


def move_status(
    *,
    actor: User | None,
    ticket: Ticket,
    to: str,
    now: datetime.datetime | None = None,
    expected_version: int | None = None,
    before: dict | None = None,
    also: Sequence[str] = (),
) -> Ticket:
    """The one status move, of the agent's steps (they check role and table) and the customer's
    answer (intake): the SLA clock stops while waiting on them, then resumes shifted by the
    time it stood; saved, audited, surveyed on resolving. `also`: fields changed since `before`."""
    now = now or timezone.now()
    before = audit.snapshot(ticket) if before is None else before
    calendar = calendar_of(ticket.department)
    if ticket.status == TicketStatus.WAITING and ticket.sla_paused_at is not None:
        paused_at = ticket.sla_paused_at
        if ticket.first_responded_at is None:
            ticket.first_response_due = sla.resumed(
                calendar, ticket.first_response_due, paused_at, now
            )
        ticket.resolution_due = sla.resumed(calendar, ticket.resolution_due, paused_at, now)
        ticket.sla_paused_at = None
    if to == TicketStatus.WAITING:
        ticket.sla_paused_at = now
    ticket.resolved_at = (ticket.resolved_at or now) if to in DONE else None
    ticket.status, ticket.status_changed_at = to, now
    action = "resolve" if to == TicketStatus.RESOLVED else "update"
    saved(actor, ticket, before, action, [*also, *STATUS_FIELDS], expected_version)
    if to == TicketStatus.RESOLVED:
        surveys.start(ticket)
    return ticket


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    ticket: Ticket,
    to: str,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Ticket:
    may_edit(actor, ticket)
    check_choice(to, list(TicketStatus.values), "status")
    if to == ticket.status:
        claim_version(ticket, expected_version)
        return ticket
    if to not in allowed_statuses(ticket.status):
        raise ValidationError(
            {
                "status": _("A ticket that is %(from)s can't be marked %(to)s.")
                % {
                    "from": TicketStatus(ticket.status).label,
                    "to": TicketStatus(to).label,
                }
            }
        )
    now = now or timezone.now()
    reopened = ticket.status in DONE
    move_status(actor=actor, ticket=ticket, to=to, now=now, expected_version=expected_version)
    if to in DONE or reopened:
        activities.record_event(
            actor=actor,
            records=[ticket],
            kind=ActivityKind.TICKET,
            subject=phrases.gettext(
                "Ticket #%(number)s is %(status)s",
                number=ticket.pk,
                status=phrases.in_lowercase(TicketStatus(to).label),
            ),
            occurred_at=now,
        )
    return ticket
