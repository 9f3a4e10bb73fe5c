"""Tickets in the API: open one (a channel of the one intake service), list and read them
with the list page's filters, change status, priority, assignee or department by PATCH,
and add a reply or internal note with `POST /tickets/{id}/messages`. Webhooks raise
ticket.created, ticket.assigned and ticket.resolved."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.activities.models import Priority
from clientela.api.registry import Action, Resource, register
from clientela.api.requests import api_field_names
from clientela.api.types import Id, name_text, text
from clientela.customers import selectors as customer_selectors
from clientela.deals.selectors import deals_for
from clientela.orders.selectors import orders_for
from clientela.tickets import merging, selectors, services
from clientela.tickets.api_knowledge import LINK_ARTICLE
from clientela.tickets.models import Channel, Department, Ticket, TicketStatus
from clientela.users import selectors as user_selectors

API_NAMES = {
    "department": "department_id",
    "assignee": "assignee_id",
    "contact": "contact_id",
    "company": "company_id",
    "order": "order_id",
    "deal": "deal_id",
}


class TicketOut(Schema):
    id: int
    number: int
    version: int
    subject: str
    description: str
    status: str
    priority: str
    channel: str
    language: str
    tier: str
    department_id: int
    assignee_id: int | None
    contact_id: int | None
    company_id: int | None
    order_id: int | None
    deal_id: int | None
    merged_into_id: int | None
    first_response_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolved_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TicketIn(Schema):
    subject: name_text(200)
    description: text(20_000) = ""
    contact_id: Id | None = Field(None, description="The customer; or give `email`.")
    email: text(254) = Field("", description="Matched to a contact, or a new one is made.")
    name: text(200) = Field("", description="The new contact's name, with `email`.")
    company_id: Id | None = None
    order_id: Id | None = None
    deal_id: Id | None = None
    priority: Literal[tuple(Priority.values)] = "normal"
    language: text(10) = ""
    department_id: Id | None = Field(None, description="Left out: the routing rules decide.")
    assignee_id: Id | None = Field(None, description="Left out: the department assigns.")


class TicketUpdate(Schema):
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    subject: name_text(200) | None = None
    description: text(20_000) | None = None
    priority: Literal[tuple(Priority.values)] | None = None
    language: text(10) | None = None
    status: Literal[tuple(TicketStatus.values)] | None = None
    assignee_id: Id | None = None
    unassign: bool = Field(False, description="`true` leaves the ticket unassigned.")
    department_id: Id | None = Field(
        None, description="Transfer, with `transfer_reason` (its own department: no change)."
    )
    transfer_reason: name_text(300) = Field(
        None, description="Why the ticket moves; required with `department_id`."
    )

    # A transfer always says why (it is kept in the ticket's history): stated in the schema.
    model_config = {
        "json_schema_extra": {"dependentRequired": {"department_id": ["transfer_reason"]}}
    }


class TicketFilters(Schema):
    q: text(200) | None = None
    status: Literal[("active", *TicketStatus.values)] | None = None
    priority: Literal[tuple(Priority.values)] | None = None
    department: Id | None = None
    assignee: str | None = Field(
        None, pattern=r"^(me|none|[0-9]{1,18})$", description="`me`, `none` or a user id."
    )
    contact: Id | None = None


class MessageIn(Schema):
    body: text(20_000)
    internal: bool = False
    status: Literal[tuple(TicketStatus.values)] | None = Field(
        None, description="Move the ticket on in the same step."
    )


def ticket_out(ticket: Ticket, user) -> dict:
    fields = [name for name in TicketOut.model_fields if name not in {"number", "assignee_id"}]
    return {
        **{name: getattr(ticket, name) for name in fields},
        "number": ticket.pk,
        "assignee_id": ticket.owner_id,
    }


def _visible(queryset, pk, field: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is no such record.")})
    return found


def _department(pk) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise ValidationError({"department_id": _("There is no such department.")})
    return department


def _person(pk):
    if pk is None:
        return None
    person = user_selectors.active_person(pk)
    if person is None:
        raise ValidationError({"assignee_id": _("There is no such person.")})
    return person


def create_ticket(user, data: dict) -> Ticket:
    with api_field_names(API_NAMES):
        return services.open_ticket(
            actor=user,
            channel=Channel.API,
            subject=data["subject"],
            description=data.get("description") or "",
            contact=_visible(
                customer_selectors.contacts_for(user), data.get("contact_id"), "contact_id"
            ),
            company=_visible(
                customer_selectors.companies_for(user), data.get("company_id"), "company_id"
            ),
            email=data.get("email") or "",
            name=data.get("name") or "",
            order=_visible(orders_for(user), data.get("order_id"), "order_id"),
            deal=_visible(deals_for(user), data.get("deal_id"), "deal_id"),
            priority=data.get("priority") or "normal",
            language=data.get("language") or "",
            department=_department(data.get("department_id")),
            assignee=_person(data.get("assignee_id")),
        )


def update_ticket(user, ticket: Ticket, data: dict, expected: int | None) -> Ticket:
    """Fields, then the department, the assignee and the status through their own
    services, in one transaction; the version sent is checked by the first of them."""
    status = data.pop("status", None)
    department_id = data.pop("department_id", None)
    reason = data.pop("transfer_reason", None) or ""
    assignee_id = data.pop("assignee_id", None)
    unassign = data.pop("unassign", False)
    fields = {key: value for key, value in data.items() if value is not None}
    with api_field_names(API_NAMES):
        steps = []
        if fields:
            steps.append(
                lambda t, v: services.update_ticket(
                    actor=user, ticket=t, data=fields, expected_version=v
                )
            )
        department = _department(department_id)
        # PATCH sets the department: naming the one the ticket is in changes nothing.
        if department is not None and department.pk != ticket.department_id:
            steps.append(
                lambda t, v: services.transfer(
                    actor=user, ticket=t, department=department, reason=reason, expected_version=v
                )
            )
        if assignee_id is not None or unassign:
            person = _person(assignee_id)
            steps.append(
                lambda t, v: services.assign(
                    actor=user, ticket=t, assignee=person, expected_version=v
                )
            )
        if status is not None:
            steps.append(
                lambda t, v: services.change_status(
                    actor=user, ticket=t, to=status, expected_version=v
                )
            )
        if not steps:
            steps.append(
                lambda t, v: services.update_ticket(
                    actor=user, ticket=t, data={}, expected_version=v
                )
            )
        for step in steps:
            ticket = step(ticket, expected)
            expected = None
    return ticket


def add_message(user, ticket: Ticket, data: dict, expected: int | None) -> Ticket:
    with api_field_names({}, default="body"):
        services.reply(
            actor=user,
            ticket=ticket,
            body=data["body"],
            internal=data.get("internal", False),
            status=data.get("status") or "",
            expected_version=expected,
        )
    ticket.refresh_from_db()
    return ticket


class MergeIn(Schema):
    duplicate_id: Id = Field(description="The ticket to merge into this one and close.")


def merge_ticket(user, ticket: Ticket, data: dict, expected: int | None) -> Ticket:
    duplicate = _visible(selectors.tickets_for(user), data["duplicate_id"], "duplicate_id")
    with api_field_names({"duplicate": "duplicate_id"}):
        merging.merge_tickets(
            actor=user, kept=ticket, duplicate=duplicate, expected_version=expected
        )
    ticket.refresh_from_db()
    return ticket


def unmerge_ticket(user, ticket: Ticket, data: dict, expected: int | None) -> Ticket:
    merge = merging.last_merge(ticket)
    if merge is None:
        raise ValidationError(_("This ticket has no merge to undo."))
    kept = merging.undo_merge(actor=user, merge=merge)
    kept.refresh_from_db()
    return kept


def filter_tickets(user, queryset, params: dict, raw):
    data = {key: value for key, value in params.items() if value not in (None, "")}
    if str(data.get("assignee", "")).isdigit():
        data["assignee"] = int(data["assignee"])
    return selectors.filter_list(user, queryset, data)


register(
    Resource(
        name="tickets",
        label="ticket",
        model=Ticket,
        out=TicketOut,
        queryset=selectors.tickets_for,
        serialize=ticket_out,
        sorts={"newest": ["-created_at", "-id"], "updated": ["updated_at", "id"]},
        default_sort="newest",
        filters=TicketFilters,
        apply_filters=filter_tickets,
        updated_field="updated_at",
        create_in=TicketIn,
        create=create_ticket,
        update_in=TicketUpdate,
        update=update_ticket,
        delete=lambda user, ticket: services.trash_ticket(actor=user, ticket=ticket),
        actions=[
            Action(
                name="messages",
                summary="Reply to a ticket or add an internal note",
                run=add_message,
                payload=MessageIn,
                versioned=True,
            ),
            LINK_ARTICLE,
            Action(
                name="merge",
                summary="Merge a duplicate ticket into this one",
                run=merge_ticket,
                payload=MergeIn,
                versioned=True,
                description="The duplicate's messages, files, tasks and articles move here "
                "and it is closed as merged, in one transaction. The ticket page's "
                '"Undo the merge" puts both back.',
            ),
            Action(
                name="unmerge",
                summary="Undo the latest merge into this ticket",
                run=unmerge_ticket,
                description="The duplicate merged last into this ticket gets its messages, "
                "files, tasks and articles back and is reopened in the status it had; the "
                "merge and its undoing stay in both tickets' history. Needs the right to "
                "edit both tickets; 400 when there is no merge left to undo.",
            ),
        ],
        versioned=True,
        description="The ticket list's filters (`status=active` is every ticket not yet "
        "resolved). PATCH `status` to move a ticket, `assignee_id` (or `unassign`) to "
        "assign it, `department_id` with `transfer_reason` to transfer it.",
    )
)
