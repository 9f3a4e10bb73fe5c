"""Every write to tickets, reached from here: open one, whatever the channel (`opening`),
reply or note (`replies`), change its status (`statuses`), and here assign, transfer,
edit, trash. What the steps share is in `writing`, where a ticket goes and by when in
`departments`; departments and routing rules are written in `configuration`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind, Priority
from clientela.core import audit, phrases
from clientela.core.concurrency import claim_version
from clientela.core.record_services import trash_record
from clientela.tickets.departments import (
    calendar_of,
    ensure_department,
    next_assignee,
    policy_for,
    set_due_times,
    tier_of,
)
from clientela.tickets.models import Department, Ticket
from clientela.tickets.opening import customer_for_email, open_ticket
from clientela.tickets.replies import reply
from clientela.tickets.statuses import STATUS_FIELDS, allowed_statuses, change_status, move_status
from clientela.tickets.writing import MAX_FILES, MAX_TEXT, check_choice, clean_text, may_edit, saved
from clientela.users.models import User

# The steps of the other modules are reached from here too, as they always were.
__all__ = [
    "EDITABLE",
    "MAX_FILES",
    "MAX_TEXT",
    "RESTORABLE",
    "STATUS_FIELDS",
    "allowed_statuses",
    "assign",
    "calendar_of",
    "change_status",
    "customer_for_email",
    "ensure_department",
    "move_status",
    "next_assignee",
    "open_ticket",
    "policy_for",
    "reply",
    "restore_ticket",
    "tier_of",
    "transfer",
    "trash_ticket",
    "update_ticket",
]


@transaction.atomic
def assign(
    *, actor: User | None, ticket: Ticket, assignee: User | None, expected_version: int | None
) -> Ticket:
    may_edit(actor, ticket)
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("That person no longer works here.")})
    if assignee == ticket.owner:
        claim_version(ticket, expected_version)
        return ticket
    before = audit.snapshot(ticket)
    ticket.owner = assignee
    return saved(actor, ticket, before, "assign", ["owner"], expected_version)


@transaction.atomic
def transfer(
    *,
    actor: User | None,
    ticket: Ticket,
    department: Department,
    reason: str,
    expected_version: int | None,
) -> Ticket:
    """Move the ticket to another department with the reason, kept in its history and on
    its timeline; it is assigned anew there, in that department's way."""
    may_edit(actor, ticket)
    reason = " ".join(clean_text(reason, "reason", required=True, limit=300).split())
    if department.pk == ticket.department_id:
        raise ValidationError({"department": _("The ticket is in that department already.")})
    previous = ticket.department
    before = audit.snapshot(ticket)
    ticket.department = department
    ticket.owner = next_assignee(department)
    saved(
        actor,
        ticket,
        before,
        "transfer",
        ["department", "owner"],
        expected_version,
        {"reason": reason},
    )
    activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext(
            "Ticket #%(number)s moved from %(from)s to %(to)s",
            number=ticket.pk,
            **{"from": previous, "to": department},
        ),
        body=reason,
    )
    return ticket


RESTORABLE = ("subject", "description", "priority", "language")
EDITABLE = ("subject", "description", "priority", "language", "order", "deal", "contact", "company")


@transaction.atomic
def update_ticket(
    *,
    actor: User | None,
    ticket: Ticket,
    data: dict[str, Any],
    expected_version: int | None,
    action: str = "update",
) -> Ticket:
    """Change what the ticket is about; a new priority sets its SLA targets anew, from
    when it was opened."""
    may_edit(actor, ticket)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = audit.snapshot(ticket)
    if "subject" in data:
        data["subject"] = " ".join(
            clean_text(data["subject"], "subject", required=True, limit=200).split()
        )
    if "description" in data:
        data["description"] = clean_text(
            data["description"], "description", required=False, limit=MAX_TEXT
        )
    if "priority" in data:
        check_choice(data["priority"], list(Priority.values), "priority")
    if "language" in data:
        data["language"] = clean_text(data["language"], "language", required=False, limit=10)
    for key, value in data.items():
        setattr(ticket, key, value)
    fields = list(data)
    if "priority" in data and before["priority"] != ticket.priority:
        set_due_times(ticket)
        fields += ["first_response_due", "resolution_due"]
    return saved(actor, ticket, before, action, fields, expected_version)


def restore_ticket(*, actor: User | None, record: Ticket, state: dict, action: str) -> Ticket:
    """An earlier version's wording and priority (the history page's "Restore"); who it is
    assigned to and its status move only through their own steps."""
    data = {key: state[key] for key in RESTORABLE if key in state}
    return update_ticket(
        actor=actor, ticket=record, data=data, expected_version=None, action=action
    )


@transaction.atomic
def trash_ticket(*, actor: User | None, ticket: Ticket) -> None:
    trash_record(actor=actor, record=ticket)
