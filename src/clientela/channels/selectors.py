"""Every read of the channels app, limited to what the person may see: accounts they may
use (their own, their team's shared ones, all for those who manage settings), and
conversations in those accounts or with contacts they can see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet

from clientela.activities.models import ActivityKind, TimelineLink
from clientela.channels.models import (
    Conversation,
    MailAccount,
    Message,
    OutgoingMail,
    OutgoingStatus,
)
from clientela.core import permissions, records
from clientela.customers.models import Contact

if TYPE_CHECKING:
    from clientela.core.actors import Actor

INBOX_PAGE = 50


def own_addresses() -> set[str]:
    """The addresses of every account: mail from them was sent by us."""
    return {a.lower() for a in MailAccount.objects.values_list("address", flat=True)}


def accounts_for(user: Actor) -> QuerySet[MailAccount]:
    accounts = MailAccount.objects.order_by("name", "id")
    if permissions.can(user, "manage_settings"):
        return accounts
    team_id = getattr(user, "team_id", None)
    mine = Q(owner_id=user.pk) | (Q(team_id=team_id) if team_id else Q(pk__in=[]))
    return accounts.filter(mine)


def may_use(user: Actor, account: MailAccount | None) -> bool:
    return account is not None and accounts_for(user).filter(pk=account.pk).exists()


def inbox(user: Actor) -> list[Message]:
    """The latest messages received in the user's accounts, unknown senders marked (no
    timeline entry yet)."""
    return list(
        Message.objects.filter(account__in=accounts_for(user))
        .select_related("account", "conversation")
        .order_by("-sent_at", "-id")[:INBOX_PAGE]
    )


def conversation_for(user: Actor, pk: int) -> Conversation:
    """A conversation the user may read: one of their accounts', or one with a contact they
    can see. Conversation.DoesNotExist otherwise."""
    contact_type = ContentType.objects.get_for_model(Contact)
    seen = TimelineLink.objects.filter(
        activity__channel_message__conversation=OuterRef("pk"),
        content_type=contact_type,
        object_id__in=records.visible(user, Contact).values("pk"),
    )
    return (
        Conversation.objects.filter(pk=pk)
        .filter(Q(account__in=accounts_for(user)) | Exists(seen))
        .get()
    )


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("account", "activity").prefetch_related(
        "activity__attachments"
    )


def message_for(user: Actor, pk: int) -> Message:
    message = Message.objects.select_related("account", "conversation").get(pk=pk)
    conversation_for(user, message.conversation_id)
    return message


def mail_on_timeline(user: Actor, entries: list) -> None:
    """Each e-mail entry of a timeline page gets its message (`entry.extra`), for the thread
    it is in and the reply and formatted-view links: one query per page."""
    ids = [entry.pk for entry in entries if entry.kind == ActivityKind.EMAIL]
    if not ids:
        return
    by_activity = {
        m.activity_id: m
        for m in Message.objects.filter(activity_id__in=ids).select_related("conversation")
    }
    for entry in entries:
        message = by_activity.get(entry.pk)
        if message is not None:
            entry.extra = message
            entry.extra_template = "channels/_timeline_message.html"


def waiting_mail(user: Actor, record) -> list[OutgoingMail]:
    """The user's e-mails about the record that wait to be sent (undo-send, scheduled),
    soonest first: one query."""
    return list(
        OutgoingMail.objects.filter(
            author_id=user.pk,
            record=records.RecordRef.of(record).token,
            status=OutgoingStatus.PENDING,
        ).order_by("send_at", "id")[:20]
    )
