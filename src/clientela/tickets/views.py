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
from clientela.activities import selectors as activity_selectors
from clientela.core import filters, permissions, presenting, records
from clientela.core.concurrency import StaleRecordError
from clientela.core.forms import add_service_errors
from clientela.core.listing import page_context
from clientela.core.pagination import Page, keyset_page
from clientela.tickets import knowledge, merging, selectors, services
from clientela.tickets.forms import (
    AssignForm,
    ComposeForm,
    LinkArticleForm,
    MergeForm,
    ReplyForm,
    StatusForm,
    TicketFilterForm,
    TicketForm,
    TransferForm,
)
from clientela.tickets.models import Article, Channel, Ticket, TicketStatus
from clientela.users import selectors as user_selectors

PAGE_SIZE = 50
CUSTOMER_TYPES = {"contact", "company"}


@require_safe
def ticket_list(request):
    form = TicketFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.filter_list(request.user, selectors.ticket_list(request.user), data)
    tickets = filters.narrow_list(request, tickets)
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
@permissions.adding_required("ticket")
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


@require_safe
def ticket_detail(request, pk: int):
    ticket = _ticket_page(request, pk)
    return _detail_page(request, ticket, ReplyForm(initial={"version": ticket.version}))


def _ticket_page(request, pk: int) -> Ticket:
    try:
        return selectors.ticket_page(request.user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _conversation(request, ticket: Ticket) -> Page:
    """A page of the ticket's conversation, each entry saying whether it is a message, an
    internal note or the customer's words. It shows no other record an entry is about, nor
    what other apps add to a record's timeline: those are not read."""
    return activity_selectors.timeline(
        ticket,
        user=request.user,
        kinds=record_page.asked_kinds(request),
        cursor=request.GET.get("after"),
        others=False,
        annotations=selectors.message_flags(),
    )


def _detail_page(request, ticket: Ticket, reply_form: ReplyForm, status: int = 200):
    """The ticket page, with the reply box as given (a refused reply keeps its text)."""
    user = request.user
    timeline = _conversation(request, ticket)
    if request.htmx and request.htmx.target in record_page.TIMELINE_TARGETS:
        return render(request, "tickets/_conversation.html", {"timeline": timeline})
    may_edit = permissions.allows(user, ticket, "edit")
    shown = presenting.present(user, ticket)
    context = record_page.side_context(request, ticket)
    context.update(
        {
            "timeline": timeline,
            "record": shown,
            "ticket": shown,
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
            "reply_form": reply_form,
            "inserted_articles": _inserted(user, reply_form),
            "canned_replies": selectors.canned_replies(user) if may_edit else [],
            "suggested_articles": selectors.suggested_articles(user, ticket),
            "used_articles": selectors.ticket_articles(ticket),
            "survey": getattr(ticket, "survey", None),
            "undoable_merge": getattr(ticket, "undoable_merge", None) if may_edit else None,
            "merge_choices": selectors.merge_candidates(user, ticket) if may_edit else [],
        }
    )
    return render(request, "tickets/detail.html", context, status=status)


def _inserted(user, form) -> list[Article]:
    """The articles a reply box holds (inserted, not yet sent) that the user may see."""
    ids = form.cleaned_data.get("articles", []) if form.is_bound and form.is_valid() else []
    if not ids and form.is_bound:
        ids = [int(v) for v in form.data.getlist("articles") if str(v).isdigit()][:50]
    return list(selectors.articles_for(user).filter(pk__in=ids)) if ids else []


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
    ticket = _visible_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        articles = list(selectors.articles_for(request.user).filter(pk__in=data["articles"]))
        try:
            services.reply(
                actor=request.user,
                ticket=ticket,
                body=data["body"],
                internal=data["internal"],
                attachments=data["attachments"],
                status=data["status"],
                expected_version=data["version"],
                articles=articles,
            )
        except (StaleRecordError, PermissionDenied) as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = (
                _("Note added to %(ticket)s.")
                if data["internal"]
                else _("Reply sent on %(ticket)s.")
            )
            messages.success(request, done % {"ticket": ticket})
            return redirect(ticket)
    # The text stays in the box with the reason beside it; the agent fixes and sends again.
    # The ticket is read afresh: a refused reply may have changed the copy in hand.
    return _detail_page(request, _ticket_page(request, pk), form, status=400)


@require_POST
def ticket_compose(request, pk: int):
    """The reply box with a canned reply or an article added to what it holds (htmx): the
    text is the agent's to change before sending; merge fields are filled on sending."""
    ticket = _visible_ticket(request, pk)
    if not permissions.allows(request.user, ticket, "edit"):
        raise PermissionDenied
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    data = form.cleaned_data
    body, article_ids = data["body"].rstrip(), data["articles"]
    addition = ""
    # An article's button sends its id; the canned reply picker's value always comes along.
    if data["article"]:
        article = selectors.articles_for(request.user).filter(pk=data["article"]).first()
        if article is not None:
            addition = f"{article.title}\n\n{article.body}"
            article_ids = [*article_ids, article.pk]
    elif data["canned"]:
        canned = selectors.canned_replies_for(request.user).filter(pk=data["canned"]).first()
        addition = canned.body if canned is not None else ""
    if not addition:
        raise Http404
    reply_form = ReplyForm(
        initial={"body": f"{body}\n\n{addition}" if body else addition, "articles": article_ids}
    )
    articles = list(selectors.articles_for(request.user).filter(pk__in=article_ids))
    return render(
        request,
        "tickets/_reply_body.html",
        {"reply_form": reply_form, "inserted_articles": articles, "autofocus": True},
    )


@require_POST
def ticket_link_article(request, pk: int):
    form = LinkArticleForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, pk)
    article = selectors.articles_for(request.user).filter(pk=form.cleaned_data["article"]).first()
    if article is None:
        raise Http404

    def link(ticket: Ticket) -> None:
        knowledge.link_article(actor=request.user, ticket=ticket, article=article)

    return _act(request, pk, link, _("%(article)s is linked to %(ticket)s."), article=article)


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
def ticket_merge(request, pk: int):
    """Merge this ticket and another: the one the agent keeps takes the other's messages,
    files and links; the other is closed as merged."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, pk)
    data = form.cleaned_data
    this = _visible_ticket(request, pk)
    other = _visible_ticket(request, data["other"])
    kept, duplicate = (this, other) if data["keep"] == "this" else (other, this)
    try:
        merging.merge_tickets(
            actor=request.user,
            kept=kept,
            duplicate=duplicate,
            expected_version=data["version"] if kept is this else None,
        )
    except (StaleRecordError, PermissionDenied) as error:
        messages.error(request, str(error))
        return redirect(this)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(this)
    messages.success(
        request,
        _("Ticket #%(duplicate)s was merged into this one and closed.")
        % {"duplicate": duplicate.pk},
    )
    return redirect(kept)


@require_POST
def ticket_merge_undo(request, pk: int):
    ticket = _visible_ticket(request, pk)
    merge = merging.last_merge(ticket)
    if merge is None:
        raise Http404

    def undo(ticket: Ticket) -> None:
        merging.undo_merge(actor=request.user, merge=merge)

    return _act(
        request,
        pk,
        undo,
        _("The merge is undone: ticket #%(duplicate)s is on its own again."),
        duplicate=merge.duplicate_id,
    )


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
