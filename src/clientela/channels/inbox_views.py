"""The unified inbox and the messengers' webhook. Thin: parse, call a service or
selector, render."""

from __future__ import annotations

import datetime
import json
import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clientela.channels import inbox, messengers, selectors
from clientela.channels.models import Channel, Conversation, Message, MessengerAccount, State
from clientela.users import selectors as users

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request, key: str) -> HttpResponse:
    """Where a provider posts its updates: answered at once; nothing is kept unless the
    call is signed (or carries the secret token) as the account's."""
    account = MessengerAccount.objects.filter(webhook_key=key, is_active=True).first()
    if account is None:
        raise Http404
    if request.method == "GET":
        challenge = messengers.verify_challenge(account, request.GET)
        if challenge is None:
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain")
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    if not messengers.verify(account, request.headers, body):
        log.warning("forged or unsigned webhook call for messenger %s", account.pk)
        return HttpResponseForbidden()
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponseBadRequest()
    inbox.receive(account, payload)
    return HttpResponse("ok", content_type="text/plain")


def _filters(request) -> dict[str, str]:
    return {
        "channel": request.GET.get("channel", ""),
        "assignee": request.GET.get("assignee", ""),
        "state": request.GET.get("state", State.OPEN),
    }


@require_safe
def unified(request) -> HttpResponse:
    filters = _filters(request)
    page = selectors.unified_inbox(
        request.user,
        channel=filters["channel"],
        assignee=filters["assignee"],
        state=filters["state"],
        cursor=request.GET.get("cursor"),
    )
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "channels/unified_inbox.html",
        {
            "page": page,
            "rows": page.items,
            "filters": filters,
            "query": query,
            "next_query": urlencode(
                {**{k: v for k, v in filters.items() if v}, "cursor": page.next_cursor or ""}
            ),
            "is_first_page": not request.GET.get("cursor"),
            "channels": Channel.choices,
            "states": State.choices,
            "people": users.assignable(request.user),
            "back": request.get_full_path(),
        },
    )


def _conversation(request, pk: int) -> Conversation:
    try:
        return selectors.conversation_for(request.user, pk)
    except Conversation.DoesNotExist:
        raise Http404 from None


def _back(request, conversation: Conversation) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("channels:conversation", conversation.pk)


def _act(request, pk: int, action, done: str) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        action(conversation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _back(request, conversation)


@require_POST
def reply(request, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda c: inbox.reply(
            actor=request.user, conversation=c, text=request.POST.get("text", "")
        ),
        _("Reply sent."),
    )


@require_POST
def assign(request, pk: int) -> HttpResponse:
    raw = request.POST.get("assignee", "")
    assignee = users.active_person(raw) if raw else None
    if raw and assignee is None:
        messages.error(request, _("That person no longer works here."))
        return _back(request, _conversation(request, pk))
    return _act(
        request,
        pk,
        lambda c: inbox.assign(actor=request.user, conversation=c, assignee=assignee),
        _("Assigned."),
    )


@require_POST
def snooze(request, pk: int) -> HttpResponse:
    raw = request.POST.get("until", "")
    until = parse_datetime(raw) if raw else None
    if until is None:
        hours = {"1h": 1, "4h": 4, "1d": 24, "3d": 72}.get(request.POST.get("for", ""))
        until = timezone.now() + datetime.timedelta(hours=hours) if hours else None
    elif timezone.is_naive(until):
        until = timezone.make_aware(until)
    if until is None:
        messages.error(request, _("Choose until when to snooze."))
        return _back(request, _conversation(request, pk))
    return _act(
        request,
        pk,
        lambda c: inbox.snooze(actor=request.user, conversation=c, until=until),
        _("Snoozed."),
    )


@require_POST
def done(request, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda c: inbox.mark_done(actor=request.user, conversation=c),
        _("Marked done."),
    )


@require_POST
def create_contact(request, pk: int) -> HttpResponse:
    conversation = _conversation(request, pk)
    try:
        contact = inbox.create_contact_from_conversation(
            actor=request.user, conversation=conversation
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, conversation)
    messages.success(request, _("Contact “%(name)s” created.") % {"name": contact})
    return _back(request, conversation)


@require_POST
def open_ticket(request, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    conversation = _conversation(request, message.conversation_id)
    try:
        ticket = inbox.open_ticket(actor=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, conversation)
    messages.success(request, _("Ticket #%(number)s opened.") % {"number": ticket.pk})
    return redirect(ticket.get_absolute_url())
