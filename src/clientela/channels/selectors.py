"""Every read of the channels app, limited to what the person may see: accounts they may
use (their own, their team's shared ones, all for those who manage settings), and
conversations in those accounts or with contacts they can see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from clientela.activities.models import ActivityKind, TimelineLink
from clientela.channels.models import (
    Channel,
    Conversation,
    EmailTemplate,
    MailAccount,
    Message,
    MessageMedia,
    MessengerAccount,
    OutgoingMail,
    OutgoingStatus,
    State,
)
from clientela.core import pagination, permissions, records, search
from clientela.customers.models import Contact

if TYPE_CHECKING:
    from clientela.core.actors import Actor

INBOX_PAGE = 50
# The start of a long message is what the search reads of it.
SEARCHED_TEXT = 4000


def own_addresses() -> set[str]:
    """The addresses of every account: mail from them was sent by us."""
    return {a.lower() for a in MailAccount.objects.values_list("address", flat=True)}


def _held_by(user: Actor, accounts: QuerySet) -> QuerySet:
    """The accounts a person may use: their own and their team's shared ones; all of
    them for those who manage settings."""
    if permissions.can(user, "manage_settings"):
        return accounts
    team_id = getattr(user, "team_id", None)
    mine = Q(owner_id=user.pk) | (Q(team_id=team_id) if team_id else Q(pk__in=[]))
    return accounts.filter(mine)


def accounts_for(user: Actor) -> QuerySet[MailAccount]:
    return _held_by(user, MailAccount.objects.order_by("name", "id"))


def messengers_for(user: Actor) -> QuerySet[MessengerAccount]:
    return _held_by(user, MessengerAccount.objects.order_by("name", "id"))


def may_use(user: Actor, account: MailAccount | None) -> bool:
    return account is not None and accounts_for(user).filter(pk=account.pk).exists()


def may_use_messenger(user: Actor, account: MessengerAccount | None) -> bool:
    return account is not None and messengers_for(user).filter(pk=account.pk).exists()


def _visible_conversations(user: Actor) -> QuerySet[Conversation]:
    """Conversations in an account the user may use, or with a contact they can see."""
    contact_type = ContentType.objects.get_for_model(Contact)
    visible_contacts = records.visible(user, Contact).values("pk")
    seen = TimelineLink.objects.filter(
        activity__channel_message__conversation=OuterRef("pk"),
        content_type=contact_type,
        object_id__in=visible_contacts,
    )
    return Conversation.objects.filter(
        Q(account__in=accounts_for(user).values("pk"))
        | Q(messenger__in=messengers_for(user).values("pk"))
        | Q(contact__in=visible_contacts)
        | Exists(seen)
    )


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
    return (
        _visible_conversations(user)
        .select_related("contact", "messenger", "account")
        .filter(pk=pk)
        .get()
    )


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.select_related("account", "activity").prefetch_related(
        "activity__attachments", "media"
    )


def message_for(user: Actor, pk: int) -> Message:
    message = Message.objects.select_related("account", "conversation").get(pk=pk)
    conversation_for(user, message.conversation_id)
    return message


def visible_messages(user: Actor) -> QuerySet[Message]:
    """The messages, e-mail or messenger, of the conversations the user may read: what the
    one search shows of them."""
    return Message.objects.filter(conversation__in=_visible_conversations(user).values("pk"))


def search_document(message: Message) -> search.Document:
    """What the one search finds a message by: its subject or sender, its text and its
    addresses or handles."""
    sender = message.from_name or message.from_address
    return search.Document(
        title=message.subject or sender or str(Channel(message.channel).label),
        subtitle=" · ".join(filter(None, [str(Channel(message.channel).label), sender])),
        parts=[message.text[:SEARCHED_TEXT], message.from_address, message.to],
        owner_id=None,
    )


def mail_on_timeline(user: Actor, entries: list) -> None:
    """Each e-mail entry of a timeline page gets its message (`entry.extra`), for the thread
    it is in and the reply and formatted-view links: one query per page."""
    kinds = (ActivityKind.EMAIL, ActivityKind.MESSAGE)
    ids = [entry.pk for entry in entries if entry.kind in kinds]
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


def email_templates() -> list[EmailTemplate]:
    """The templates the composer offers, by name: every sender may start from any."""
    return list(EmailTemplate.objects.order_by("name", "id"))


# The unified inbox ---------------------------------------------------------------------

INBOX_ORDER = ["-last_message_at", "-id"]


def unified_inbox(
    user: Actor,
    *,
    channel: str = "",
    assignee: str = "",
    state: str = State.OPEN,
    cursor: str | None = None,
    limit: int = INBOX_PAGE,
) -> pagination.Page:
    """One page of the conversations waiting for an answer (their last message came in)
    on every channel the user may see, newest first; `assignee` is "me", "none" or a
    user's id; `state` open, snoozed or done (done and snoozed ones whatever their last
    message)."""
    found = _visible_conversations(user)
    if state not in State.values:
        state = State.OPEN
    found = found.filter(state=state)
    if state == State.OPEN:
        found = found.filter(awaiting_reply=True)
    if channel in Channel.values:
        found = found.filter(channel=channel)
    if assignee == "me":
        found = found.filter(assignee_id=user.pk)
    elif assignee == "none":
        found = found.filter(assignee__isnull=True)
    elif assignee.isdigit():
        found = found.filter(assignee_id=int(assignee))
    found = found.select_related("account", "messenger", "contact", "assignee")
    page = pagination.keyset_page(found, INBOX_ORDER, cursor, limit)
    _last_messages(page.items)
    return page


def _last_messages(conversations: list[Conversation]) -> None:
    """Each conversation's last message received (`last_in`) with its photos and files:
    three queries for the page, however long the threads."""
    if not conversations:
        return
    newest = (
        Message.objects.filter(conversation=OuterRef("pk"), direction="inbound")
        .order_by("-sent_at", "-id")
        .values("id")[:1]
    )
    ids = (
        Conversation.objects.filter(pk__in=[c.pk for c in conversations])
        .annotate(last_in=Subquery(newest))
        .values_list("last_in", flat=True)
    )
    messages = Message.objects.filter(pk__in=[i for i in ids if i]).prefetch_related(
        Prefetch("media", MessageMedia.objects.select_related("attachment"))
    )
    last = {m.conversation_id: m for m in messages}
    for conversation in conversations:
        conversation.last_in = last.get(conversation.pk)  # type: ignore[attr-defined]
