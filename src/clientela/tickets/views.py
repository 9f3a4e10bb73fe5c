"""Ticket pages: the list, a new ticket, a ticket with its conversation, and the buttons
that answer, move, assign, transfer and trash it. Thin: services write, selectors read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.activities import record_page
from clientela.core import permissions, presenting, records
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context
from clientela.core.pagination import keyset_page
from clientela.tickets import selectors, services
from clientela.tickets.forms import (
    AssignForm,
    ReplyForm,
    StatusForm,
    TicketFilterForm,
    TicketForm,
    TransferForm,
)
from clientela.tickets.models import Channel, Ticket, TicketMessage, TicketStatus
from clientela.users import selectors as user_selectors

PAGE_SIZE = 50
CUSTOMER_TYPES = {"contact", "company"}


@require_safe
def ticket_list(request):
    form = TicketFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.filter_list(request.user, selectors.ticket_list(request.user), data)
    page = keyset_page(tickets, ["-created_at", "-id"], request.GET.get("after"), PAGE_SIZE)
    # The page presented to the user and its query strings: what every list's pager takes.
    shown, _query = page_context(request, page, [], "")
    return render(
        request,
        "tickets/list.html",
        {
            **shown,
            "form": form,
            "status": data.get("status", ""),
            "departments": selectors.department_choices(),
            "people": user_selectors.by_name(),
            "has_filters": any(
                data.get(key) for key in ("q", "priority", "department", "assignee", "sla")
            ),
            "may_open": permissions.scope(request.user, "ticket", "edit") != permissions.NONE,
            "statuses": TicketStatus.choices,
        },
    )


def _customer(request, token: str):
    if not token:
        return None
    if token.partition(":")[0] not in CUSTOMER_TYPES:
        raise Http404
    return records.visible_record(request.user, token)


@require_http_methods(["GET", "POST"])
def ticket_create(request):
    token = request.GET.get("customer") or request.POST.get("customer", "")
    customer = _customer(request, token)
    contact = customer if customer is not None and token.startswith("contact:") else None
    form = TicketForm(request.POST or None, request.FILES or None, contact=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                actor=request.user,
                channel=Channel.UI,
                subject=data["subject"],
                description=data["description"],
                contact=contact,
                company=customer if customer is not None and contact is None else None,
                email=data.get("email", ""),
                name=data.get("name", ""),
                priority=data["priority"],
                department=data["department"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Ticket %(ticket)s opened.") % {"ticket": ticket})
            return redirect(ticket)
    return render(
        request,
        "tickets/new.html",
        {"form": form, "customer": presenting.present(request.user, customer), "token": token},
        status=400 if form.errors else 200,
    )


def _visible_ticket(request, pk: int) -> Ticket:
    try:
        return selectors.ticket_detail(request.user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _mark_messages(timeline_items: list) -> None:
    """Which of the page's entries are internal notes or the customer's own words."""
    flags = {
        activity_id: (internal, from_customer)
        for activity_id, internal, from_customer in TicketMessage.objects.filter(
            activity_id__in=[entry.pk for entry in timeline_items]
        ).values_list("activity_id", "internal", "from_customer")
    }
    for entry in timeline_items:
        entry.internal, entry.from_customer = flags.get(entry.pk, (False, False))
        entry.is_message = entry.pk in flags


@require_safe
def ticket_detail(request, pk: int):
    user = request.user
    ticket = _visible_ticket(request, pk)
    context = record_page.record_context(request, ticket)
    _mark_messages(context["timeline"].items)
    if request.htmx and request.htmx.target in record_page.TIMELINE_TARGETS:
        return render(request, "tickets/_conversation.html", context)
    may_edit = permissions.allows(user, ticket, "edit")
    context.update(
        {
            "record": presenting.present(user, ticket),
            "ticket": presenting.present(user, ticket),
            "history": selectors.history(ticket),
            "may_edit": may_edit,
            "may_delete": permissions.allows(user, ticket, "delete"),
            "next_statuses": [
                (value, TicketStatus(value).label)
                for value in services.allowed_statuses(ticket.status)
            ]
            if may_edit
            else [],
            "departments": selectors.department_choices().exclude(pk=ticket.department_id),
            "reply_form": ReplyForm(initial={"version": ticket.version}),
        }
    )
    return render(request, "tickets/detail.html", context)


def _act(
    request, pk: int, action: Callable[[Ticket], Any], done: str, **values: Any
) -> HttpResponse:
    """Run a service from one of the ticket page's forms; a refusal is said on the page."""
    ticket = _visible_ticket(request, pk)
    try:
        action(ticket)
    except (StaleRecordError, PermissionDenied) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"ticket": ticket, **values})
    return redirect(ticket)


def _form_errors(request, form, pk: int) -> HttpResponse:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)
    return redirect("tickets:detail", pk=pk)


@require_POST
def ticket_reply(request, pk: int):
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_errors(request, form, pk)
    data = form.cleaned_data

    def send(ticket: Ticket) -> None:
        services.reply(
            actor=request.user,
            ticket=ticket,
            body=data["body"],
            internal=data["internal"],
            attachments=data["attachments"],
            status=data["status"],
            expected_version=data["version"],
        )

    done = _("Note added to %(ticket)s.") if data["internal"] else _("Reply sent on %(ticket)s.")
    return _act(request, pk, send, done)


@require_POST
def ticket_status(request, pk: int):
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, pk)
    to = form.cleaned_data["to"]

    def move(ticket: Ticket) -> None:
        services.change_status(
            actor=request.user, ticket=ticket, to=to, expected_version=form.cleaned_data["version"]
        )

    label = str(TicketStatus(to).label).lower()
    return _act(request, pk, move, _("%(ticket)s is now %(status)s."), status=label)


@require_POST
def ticket_assign(request, pk: int):
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, pk)

    def assign(ticket: Ticket) -> None:
        services.assign(
            actor=request.user,
            ticket=ticket,
            assignee=form.cleaned_data["assignee"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(request, pk, assign, _("%(ticket)s assigned."))


@require_POST
def ticket_transfer(request, pk: int):
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, pk)

    def transfer(ticket: Ticket) -> None:
        services.transfer(
            actor=request.user,
            ticket=ticket,
            department=form.cleaned_data["department"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(request, pk, transfer, _("%(ticket)s transferred."))


@require_POST
def ticket_trash(request, pk: int):
    ticket = _visible_ticket(request, pk)
    try:
        services.trash_ticket(actor=request.user, ticket=ticket)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(ticket)
    messages.success(request, _("%(ticket)s was moved to the trash.") % {"ticket": ticket})
    return redirect("tickets:list")
