"""The pages of the channels app: the e-mail inbox, a conversation, sending from a record
page, a contact made from a sender, and an account's connection test. Thin: parse, call a
service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.channels import mail, selectors, sending, services
from clientela.channels.forms import ComposeForm
from clientela.channels.models import Conversation, Direction, Message, OutgoingMail
from clientela.core import permissions, records
from clientela.users import selectors as users


def composer_panel(request, record) -> dict | None:
    """The e-mail composer under a record's timeline composer, for someone with an account
    to send from; `?reply=<message>` starts it as a reply in that message's thread, and
    `?template=<template>` with that template's subject and text, merge fields filled."""
    if not permissions.can(request.user, "log_activity"):
        return None
    accounts = list(selectors.accounts_for(request.user))
    if not accounts:
        return None
    initial = {"to": getattr(record, "email", "") or "", "account": accounts[0].pk}
    reply = None
    if request.GET.get("reply", "").isdigit():
        try:
            reply = selectors.message_for(request.user, int(request.GET["reply"]))
        except (Message.DoesNotExist, Conversation.DoesNotExist):
            reply = None
    if reply is not None:
        subject = reply.subject
        if not mail.subject_key(subject) or mail.subject_key(subject) == subject.lower():
            subject = f"Re: {subject}"
        answer_to = reply.from_address if reply.direction == Direction.INBOUND else reply.to
        initial |= {"to": answer_to.replace(" ", ", "), "subject": subject, "reply_to": reply.pk}
        if reply.account_id in {a.pk for a in accounts}:
            initial["account"] = reply.account_id
    templates = selectors.email_templates()
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
    problem = ""
    if chosen is not None:
        try:
            subject, body = sending.merged(
                record=record, sender=request.user, subject=chosen.subject, body=chosen.body
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            # A reply keeps its thread's subject; the template gives the text.
            initial |= {"body": body} | ({} if reply is not None else {"subject": subject})
    return {
        "template": "channels/_composer.html",
        "form": ComposeForm(initial=initial, accounts=selectors.accounts_for(request.user)),
        "templates": templates,
        "chosen": chosen,
        "problem": problem,
        "reply": reply,
        "accounts": accounts,
        "waiting": selectors.waiting_mail(request.user, record),
    }


@require_POST
def send(request, token: str) -> HttpResponse:
    record = records.visible_record(request.user, token)
    form = ComposeForm(request.POST, accounts=selectors.accounts_for(request.user))
    back = record.get_absolute_url()
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    reply = None
    if form.cleaned_data.get("reply_to"):
        try:
            reply = selectors.message_for(request.user, form.cleaned_data["reply_to"])
        except (Message.DoesNotExist, Conversation.DoesNotExist):
            raise Http404 from None
    send_at = form.cleaned_data.get("send_at")
    arguments = {
        "actor": request.user,
        "account": form.cleaned_data["account"],
        "record": record,
        "to": form.cleaned_data["to"].replace(";", ",").split(","),
        "subject": form.cleaned_data["subject"],
        "body": form.cleaned_data["body"],
        "reply_to": reply,
    }
    try:
        if send_at is None and not settings.MAIL_UNDO_SECONDS:
            sending.send_email(**arguments)
        else:
            queued = sending.queue_email(**arguments, send_at=send_at)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        if send_at is not None:
            when = formats.date_format(timezone.localtime(queued.send_at), "DATETIME_FORMAT")
            messages.success(request, _("E-mail scheduled for %(when)s.") % {"when": when})
        elif settings.MAIL_UNDO_SECONDS:
            messages.success(
                request,
                _("E-mail on its way: it leaves in %(n)d seconds unless you undo it.")
                % {"n": settings.MAIL_UNDO_SECONDS},
            )
        else:
            messages.success(request, _("E-mail sent."))
    return redirect(back + "#email-composer")


@require_POST
def cancel(request, pk: int) -> HttpResponse:
    outgoing = get_object_or_404(OutgoingMail, pk=pk, author=request.user)
    record = records.visible_record(request.user, outgoing.record)
    try:
        sending.cancel_email(actor=request.user, outgoing=outgoing)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("E-mail taken back: it was not sent."))
    return redirect(record.get_absolute_url() + "#email-composer")


@require_safe
def inbox(request) -> HttpResponse:
    return render(
        request,
        "channels/inbox.html",
        {
            "messages_list": selectors.inbox(request.user),
            "accounts": selectors.accounts_for(request.user),
        },
    )


@require_safe
def conversation(request, pk: int) -> HttpResponse:
    try:
        thread = selectors.conversation_for(request.user, pk)
    except Conversation.DoesNotExist:
        raise Http404 from None
    formatted = request.GET.get("formatted") == "1"
    images = request.GET.get("images") == "1"
    items = list(selectors.messages_of(thread))
    for item in items:
        # Sanitised again as shown: remote images only when the reader asked for them.
        item.shown_html = (  # type: ignore[attr-defined]
            mail.sanitise_html(item.html, remote_images=images) if formatted else ""
        )
    received = [item for item in items if item.direction == Direction.INBOUND]
    return render(
        request,
        "channels/conversation.html",
        {
            "conversation": thread,
            "c": thread,
            "last": received[-1] if received else None,
            "items": items,
            "formatted": formatted,
            "images": images,
            "people": users.assignable(request.user),
            "back": request.path,
        },
    )


@require_safe
def message(request, pk: int) -> HttpResponse:
    """A message found by the search: shown in its conversation, if the reader may see it."""
    try:
        found = selectors.message_for(request.user, pk)
    except (Message.DoesNotExist, Conversation.DoesNotExist):
        raise Http404 from None
    url = reverse("channels:conversation", args=[found.conversation_id])
    return redirect(f"{url}#message-{found.pk}")


@require_POST
def create_contact(request, pk: int) -> HttpResponse:
    try:
        message = selectors.message_for(request.user, pk)
    except (Message.DoesNotExist, Conversation.DoesNotExist):
        raise Http404 from None
    try:
        contact = services.create_contact_from_sender(actor=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        nxt = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect("channels:inbox")
    messages.success(request, _("Contact “%(name)s” created from the e-mail.") % {"name": contact})
    return redirect(contact.get_absolute_url())


@require_safe
def account_test(request, pk: int) -> HttpResponse:
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    problem = services.test_account(actor=request.user, account=account)
    return render(request, "channels/account_test.html", {"account": account, "problem": problem})
