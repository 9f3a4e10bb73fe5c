"""Every write of the messenger channels and the unified inbox: messenger accounts,
messages received through a webhook (matched to a contact by handle or phone), replies
sent through the provider's API by a job that tries again, and a conversation assigned,
snoozed, marked done or turned into a ticket."""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind
from clientela.channels import messengers, secrets, selectors, sending
from clientela.channels import services as mail_services
from clientela.channels.models import (
    Channel,
    ContactHandle,
    Conversation,
    Delivery,
    Direction,
    MediaKind,
    MediaStatus,
    Message,
    MessageMedia,
    MessengerAccount,
    State,
)
from clientela.core import audit, permissions, phones, search
from clientela.customers import selectors as customer_selectors
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.tickets import services as tickets
from clientela.tickets.models import Channel as TicketChannel

if TYPE_CHECKING:
    from clientela.tickets.models import Ticket
    from clientela.users.models import User

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # Telegram's limit, the smallest of the three


# Accounts ------------------------------------------------------------------------------


@transaction.atomic
def save_messenger(
    *, actor: User | None, instance: MessengerAccount | None, data: dict
) -> MessengerAccount:
    """A new messenger account or a change to one, from the settings page: secrets left
    empty keep the ones stored, and are kept encrypted."""
    permissions.require(actor, "manage_settings")
    account = instance if instance is not None else MessengerAccount()
    before = None if account.pk is None else audit.snapshot(account)
    data = dict(data)
    for name in ("access_token", "app_secret", "webhook_secret"):
        value = (data.pop(name, "") or "").strip()
        if value:
            setattr(account, name, secrets.encrypt(value))
    kind = data.get("kind", account.kind)
    if not account.access_token:
        raise ValidationError({"access_token": _("Give the bot or access token.")})
    if not account.webhook_secret:
        raise ValidationError({"webhook_secret": _("Give the webhook secret or verify token.")})
    if kind != Channel.TELEGRAM:
        if not account.app_secret:
            raise ValidationError({"app_secret": _("Give the app secret that signs webhooks.")})
        if not (data.get("sender_id", account.sender_id) or "").strip():
            raise ValidationError({"sender_id": _("Give the phone number id or the page id.")})
    return mail_services.save_held(actor=actor, account=account, data=data, before=before)


# Receiving -----------------------------------------------------------------------------


def _contact_for(account: MessengerAccount, inbound: messengers.Inbound) -> Contact | None:
    """The contact a sender is: the one holding the chat as a handle, else the one with
    the sender's phone number."""
    handle = (
        ContactHandle.objects.filter(
            channel=account.kind, handle=inbound.chat, contact__deleted_at__isnull=True
        )
        .select_related("contact")
        .first()
    )
    if handle is not None:
        return handle.contact
    if not inbound.phone:
        return None
    try:
        e164 = phones.normalize(inbound.phone).e164
    except ValidationError:
        return None
    return customer_selectors.oldest_by_phone([e164]).get(e164)


def _remember_handle(account: MessengerAccount, chat: str, contact: Contact) -> None:
    ContactHandle.objects.get_or_create(
        channel=account.kind, handle=chat, defaults={"contact": contact}
    )


def _on_timeline(message: Message, contact: Contact, *, actor: User | None = None) -> None:
    """The message as a Message entry with its channel on the contact's timeline (and
    their company's)."""
    if message.activity_id is not None:
        return
    label = Channel(message.channel).label
    entry = activities.record_event(
        actor=actor,
        records=[contact],
        kind=ActivityKind.MESSAGE,
        subject=_("%(channel)s message") % {"channel": label},
        body=message.text,
        occurred_at=message.sent_at,
        direction=message.direction,
        channel=message.channel,
    )
    message.activity = entry
    message.save(update_fields=["activity"])
    audit.log(actor=actor, action="create", record=entry, after=audit.snapshot(entry))
    # Its photos and documents are fetched now that there is an entry to keep them on.
    from clientela.channels.tasks import fetch_media
    from clientela.jobs import enqueue

    for media_id in message.media.filter(status=MediaStatus.WAITING).values_list("pk", flat=True):
        enqueue(fetch_media, media_id)


def receive(account: MessengerAccount, payload: object) -> list[Message]:
    """Keep the messages of a webhook payload (each once, however often the provider
    sends it) in their conversations and on their contacts' timelines."""
    kept = []
    for inbound in messengers.parse(account, payload):
        message = _receive_one(account, inbound)
        if message is not None:
            kept.append(message)
    return kept


def _receive_one(account: MessengerAccount, inbound: messengers.Inbound) -> Message | None:
    if Message.objects.filter(messenger=account, external_id=inbound.external_id).exists():
        return None
    try:
        with transaction.atomic():
            conversation = _conversation(account, inbound)
            message = Message.objects.create(
                channel=account.kind,
                conversation=conversation,
                messenger=account,
                direction=Direction.INBOUND,
                external_id=inbound.external_id,
                from_address=(inbound.phone or inbound.username or inbound.chat)[:254],
                from_name=inbound.name[:200],
                text=inbound.text.replace("\x00", ""),  # PostgreSQL keeps no NUL
                sent_at=inbound.sent_at,
            )
            search.index(message)
            MessageMedia.objects.bulk_create(
                MessageMedia(
                    message=message,
                    kind=item.kind,
                    ref=item.ref[:2000],
                    name=item.name[:255],
                    declared_type=item.content_type[:120],
                    declared_size=item.size,
                )
                for item in inbound.media
            )
            changes = {"awaiting_reply": True, "state": State.OPEN, "snoozed_until": None}
            if inbound.sent_at > conversation.last_message_at:
                changes["last_message_at"] = inbound.sent_at
            Conversation.objects.filter(pk=conversation.pk).update(**changes)
            if conversation.contact is not None:
                _on_timeline(message, conversation.contact)
    except IntegrityError:  # the same message received twice at once: one is kept
        return None
    return message


def _conversation(account: MessengerAccount, inbound: messengers.Inbound) -> Conversation:
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("contact")
        .filter(messenger=account, external_key=inbound.chat)
        .first()
    )
    if conversation is None:
        contact = _contact_for(account, inbound)
        conversation = Conversation.objects.create(
            channel=account.kind,
            messenger=account,
            external_key=inbound.chat,
            contact=contact,
            sender_name=inbound.name[:200],
            subject=inbound.name[:300] or inbound.chat,
            last_message_at=inbound.sent_at,
        )
        if contact is not None:
            _remember_handle(account, inbound.chat, contact)
    return conversation


@transaction.atomic
def create_contact_from_conversation(*, actor: User, conversation: Conversation) -> Contact:
    """A contact made from a messenger conversation's sender (their name, and phone when
    the channel gives one), remembered by their handle; the messages go on their
    timeline."""
    if conversation.messenger is None:
        raise ValidationError(_("Only a messenger conversation makes a contact this way."))
    if not selectors.may_use_messenger(actor, conversation.messenger):
        raise PermissionDenied(_("You may not use this messenger account."))
    if conversation.contact is not None:
        return conversation.contact
    first = conversation.messages.filter(direction=Direction.INBOUND).first()
    data: dict = {"full_name": (conversation.sender_name or conversation.external_key)[:200]}
    if first is not None and first.from_address.startswith("+"):
        data["phones"] = [first.from_address]
    contact = customers.create_contact(actor=actor, data=data)
    _remember_handle(conversation.messenger, conversation.external_key, contact)
    conversation.contact = contact
    conversation.save(update_fields=["contact"])
    for message in conversation.messages.filter(activity__isnull=True):
        _on_timeline(message, contact, actor=actor)
    return contact


# Replying ------------------------------------------------------------------------------


def reply(*, actor: User, conversation: Conversation, text: str) -> Message:
    """Answer a conversation: a messenger's through its API (sent by a job that tries
    again), an e-mail thread by e-mail from its account, in the thread."""
    permissions.require(actor, "log_activity")
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the message first.")})
    if conversation.messenger is None:
        return _reply_by_email(actor, conversation, text)
    if not selectors.may_use_messenger(actor, conversation.messenger):
        raise PermissionDenied(_("You may not use this messenger account."))
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("A message holds at most %(n)d characters.") % {"n": MAX_TEXT}}
        )
    from clientela.channels.tasks import deliver_message
    from clientela.jobs import enqueue

    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            channel=conversation.channel,
            conversation=conversation,
            messenger=conversation.messenger,
            direction=Direction.OUTBOUND,
            external_id=f"clientela:{uuid.uuid4()}",
            from_name=actor.display_name[:200],
            to=conversation.external_key,
            text=text,
            sent_at=now,
            delivery=Delivery.PENDING,
        )
        search.index(message)
        Conversation.objects.filter(pk=conversation.pk).update(
            awaiting_reply=False, last_message_at=now
        )
        if conversation.contact is not None:
            _on_timeline(message, conversation.contact, actor=actor)
        enqueue(deliver_message, message.pk)
    return message


def _reply_by_email(actor: User, conversation: Conversation, text: str) -> Message:
    last = conversation.messages.filter(direction=Direction.INBOUND).order_by("-sent_at").first()
    if last is None or conversation.account is None:
        raise ValidationError(_("This conversation has no message to answer."))
    record = customer_selectors.oldest_by_email([last.from_address]).get(last.from_address)
    if record is None:
        raise ValidationError(_("Create the contact first: a reply goes on their timeline."))
    subject = last.subject if last.subject.lower().startswith("re:") else f"Re: {last.subject}"
    message = sending.send_email(
        actor=actor,
        account=conversation.account,
        record=record,
        to=[last.from_address],
        subject=subject,
        body=text,
        reply_to=last,
    )
    Conversation.objects.filter(pk=conversation.pk).update(awaiting_reply=False)
    return message


def backoff(attempt: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.MESSENGER_BACKOFF_SECONDS * 2 ** (attempt - 1))


def deliver(message_id: int) -> Message | None:
    """Send one reply through its messenger's API; on failure try again later with a
    growing wait, and give up after MESSENGER_MAX_ATTEMPTS. A reply sent is not sent
    again (the job may run twice)."""
    from clientela.channels.tasks import deliver_message
    from clientela.jobs import schedule_at

    message = Message.objects.select_related("messenger", "conversation").filter(pk=message_id)
    found = message.first()
    if found is None or found.delivery != Delivery.PENDING or found.messenger is None:
        return found
    try:
        sent_id = messengers.send(found.messenger, found.conversation.external_key, found.text)
    except messengers.SendError as error:
        with transaction.atomic():
            found.attempts += 1
            if found.attempts < settings.MESSENGER_MAX_ATTEMPTS:
                schedule_at(timezone.now() + backoff(found.attempts), deliver_message, found.pk)
            else:
                found.delivery = Delivery.FAILED
            found.save(update_fields=["attempts", "delivery"])
        log.warning("reply %s not taken by %s: %s", found.pk, found.channel, error)
        return found
    found.attempts += 1
    found.delivery = Delivery.SENT
    found.external_id = sent_id[:500] or found.external_id
    found.save(update_fields=["attempts", "delivery", "external_id"])
    return found


# Media ---------------------------------------------------------------------------------

# What the bytes of each kind must turn out to be (`file_types.sniff`); documents are held
# to the extensions any attached file is.
_MEDIA_TYPES = {MediaKind.PHOTO: "image/", MediaKind.VOICE: "audio/", MediaKind.AUDIO: "audio/"}


def keep_media(media_id: int) -> MessageMedia | None:
    """Fetch a message's photo, document or voice message through its provider's media
    API and keep it as a file of the message's timeline entry, within the upload limits
    (size, type); one not taken is marked with why, one the provider did not give is tried
    again later, then given up. Waits while the message has no entry (an unknown sender);
    a file kept is not fetched again (the job may run twice)."""
    from clientela.activities import file_types
    from clientela.channels.tasks import fetch_media
    from clientela.jobs import schedule_at

    media = (
        MessageMedia.objects.select_related(
            "message__messenger", "message__activity", "message__conversation__contact"
        )
        .filter(pk=media_id)
        .first()
    )
    if media is None or media.status != MediaStatus.WAITING:
        return media
    message, contact = media.message, media.message.conversation.contact
    if message.activity is None or contact is None or message.messenger is None:
        return media
    wanted = messengers.Media(
        media.kind, media.ref, media.name, media.declared_type, media.declared_size
    )
    try:
        fetched = messengers.fetch_media(message.messenger, wanted, settings.UPLOAD_MAX_BYTES)
        upload = SimpleUploadedFile(fetched.name, fetched.data, fetched.content_type)
        prefix = _MEDIA_TYPES.get(MediaKind(media.kind))
        if prefix and not file_types.sniff(upload, fetched.name).content_type.startswith(prefix):
            raise messengers.MediaRefused(f"not the {media.kind} it was said to be")
        with transaction.atomic():
            attachment = activities.attach_file(
                actor=None, record=contact, upload=upload, activity=message.activity, checked=True
            )
            media.attachment, media.name, media.status = (
                attachment,
                attachment.name,
                MediaStatus.KEPT,
            )
            media.save(update_fields=["attachment", "name", "status"])
    except (messengers.MediaRefused, ValidationError) as error:
        problem = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        media.status, media.problem = MediaStatus.REFUSED, problem[:300]
        media.save(update_fields=["status", "problem"])
        log.info("media %s of message %s not kept: %s", media.pk, message.pk, problem)
    except messengers.SendError as error:
        with transaction.atomic():
            media.attempts += 1
            media.problem = str(error)[:300]
            if media.attempts < settings.MESSENGER_MAX_ATTEMPTS:
                schedule_at(timezone.now() + backoff(media.attempts), fetch_media, media.pk)
            else:
                media.status = MediaStatus.FAILED
            media.save(update_fields=["attempts", "problem", "status"])
        log.warning("media %s of message %s not fetched: %s", media.pk, message.pk, error)
    return media


# The inbox -----------------------------------------------------------------------------


def _editable(actor: User, conversation: Conversation) -> None:
    """Someone who may use the conversation's account, or change its contact, may work
    on it in the inbox."""
    selectors.conversation_for(actor, conversation.pk)  # DoesNotExist when not visible
    permissions.require(actor, "log_activity")
    if conversation.messenger_id is not None:
        if selectors.may_use_messenger(actor, conversation.messenger):
            return
    elif selectors.may_use(actor, conversation.account):
        return
    contact = conversation.contact
    if contact is not None and permissions.allows(actor, contact, "edit"):
        return
    raise PermissionDenied(_("You may not work on this conversation."))


@transaction.atomic
def assign(*, actor: User, conversation: Conversation, assignee: User | None) -> None:
    _editable(actor, conversation)
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("That person no longer works here.")})
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])


@transaction.atomic
def snooze(*, actor: User, conversation: Conversation, until: datetime.datetime) -> None:
    """Out of the inbox until `until`; a job brings it back then."""
    from clientela.channels.tasks import wake_conversation
    from clientela.jobs import schedule_at

    _editable(actor, conversation)
    if until <= timezone.now():
        raise ValidationError({"until": _("Choose a time in the future.")})
    conversation.state, conversation.snoozed_until = State.SNOOZED, until
    conversation.save(update_fields=["state", "snoozed_until"])
    schedule_at(until, wake_conversation, conversation.pk)


def wake(conversation_id: int) -> bool:
    """Back in the inbox, if still snoozed and its time has come."""
    return bool(
        Conversation.objects.filter(
            pk=conversation_id, state=State.SNOOZED, snoozed_until__lte=timezone.now()
        ).update(state=State.OPEN, snoozed_until=None)
    )


@transaction.atomic
def mark_done(*, actor: User, conversation: Conversation) -> None:
    _editable(actor, conversation)
    conversation.state, conversation.snoozed_until = State.DONE, None
    conversation.save(update_fields=["state", "snoozed_until"])


@transaction.atomic
def open_ticket(*, actor: User, message: Message) -> Ticket:
    """A ticket from a message of a shared account (a team's): the customer is the
    conversation's contact or the sender, the message its description."""
    conversation = message.conversation
    _editable(actor, conversation)
    holder = conversation.messenger or conversation.account
    if holder is None or holder.team_id is None:
        raise ValidationError(_("Only a shared inbox opens tickets."))
    contact = conversation.contact
    email = ""
    if contact is None and message.channel == Channel.EMAIL:
        email = message.from_address
    subject = message.subject or _("%(channel)s message from %(name)s") % {
        "channel": Channel(message.channel).label,
        "name": message.from_name or message.from_address,
    }
    channel = TicketChannel.EMAIL if message.channel == Channel.EMAIL else TicketChannel.UI
    ticket = tickets.open_ticket(
        actor=actor,
        channel=channel,
        subject=subject[:200],
        description=message.text,
        contact=contact,
        email=email,
        name=message.from_name,
    )
    mark_done(actor=actor, conversation=conversation)
    return ticket
