"""Mail accounts, conversations and the messages in them. A message names its channel, so
a messenger adapter adds rows here as e-mail does, with its own account kind."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.activities.models import Activity, Attachment
from clientela.core import merge_fields
from clientela.core.models import ChoiceLabels


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Facebook Messenger")


# The channels a messenger account can be of (every channel but e-mail).
MESSENGER_KINDS = [(c.value, c.label) for c in Channel if c != Channel.EMAIL]


class State(models.TextChoices):
    """Where a conversation stands in the unified inbox."""

    OPEN = "open", _("Open")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")


class Delivery(models.TextChoices):
    """How far a message sent through a messenger's API has got."""

    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (local servers only)")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Received")
    OUTBOUND = "outbound", _("Sent")


def _holder(related_name: str) -> tuple[models.ForeignKey, models.ForeignKey]:
    """An account's holder: a person (`owner`) or a team sharing it (`team`), or neither
    (everyone's)."""
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal account of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("shared with team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )
    return owner, team


def _one_holder(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~models.Q(owner__isnull=False, team__isnull=False), name=name
    )


class MailAccount(models.Model):
    """A mailbox fetched over IMAP and sent from over SMTP: a person's own (`owner`) or a
    team's shared one (`team`). Passwords are kept encrypted (channels.secrets); `auth`
    leaves room for OAuth2 tokens later."""

    name = models.CharField(_("name"), max_length=120)
    address = models.EmailField(_("e-mail address"))
    owner, team = _holder("mail_accounts")
    auth = models.CharField(max_length=20, default="password", editable=False)
    imap_host = models.CharField(_("IMAP server"), max_length=200)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=200)
    imap_password = models.TextField(editable=False, blank=True)
    smtp_host = models.CharField(_("SMTP server"), max_length=200)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=200, blank=True)
    smtp_password = models.TextField(editable=False, blank=True)
    # A support inbox: each new message opens a ticket in this department, and an answer
    # joins its ticket (tickets.intake).
    desk_department = models.ForeignKey(
        "tickets.Department",
        verbose_name=_("opens tickets in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A support inbox: each new message becomes a ticket of this department."),
    )
    inbox_folder = models.CharField(_("inbox folder"), max_length=200, default="INBOX")
    sent_folder = models.CharField(_("sent folder"), max_length=200, default="Sent")
    is_active = models.BooleanField(_("fetch new mail"), default=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("e-mail account")
        verbose_name_plural = _("e-mail accounts")
        constraints = [_one_holder("mail_account_one_holder")]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


def _webhook_key() -> str:
    import secrets

    return secrets.token_urlsafe(18)


class MessengerAccount(models.Model):
    """A bot or business number on a messenger, its messages received through the
    provider's webhook (at /hooks/messengers/<webhook_key>/) and replies sent through its
    API. Held like an e-mail account: a person's own or a team's shared one. Secrets are
    kept encrypted (channels.secrets): the bot or access token, Meta's app secret that
    signs webhooks, and the token the provider sends back (Telegram's secret token,
    Meta's verify token)."""

    kind = models.CharField(_("messenger"), max_length=20, choices=MESSENGER_KINDS)
    name = models.CharField(_("name"), max_length=120)
    owner, team = _holder("messenger_accounts")
    # WhatsApp's phone number id or the Facebook page's id; empty for Telegram.
    sender_id = models.CharField(_("phone number or page id"), max_length=100, blank=True)
    webhook_key = models.CharField(max_length=40, unique=True, default=_webhook_key, editable=False)
    access_token = models.TextField(editable=False, blank=True)
    app_secret = models.TextField(editable=False, blank=True)
    webhook_secret = models.TextField(editable=False, blank=True)
    is_active = models.BooleanField(_("receive and send"), default=True)

    class Meta:
        verbose_name = _("messenger account")
        verbose_name_plural = _("messenger accounts")
        constraints = [_one_holder("messenger_account_one_holder")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ContactHandle(models.Model):
    """Who a contact is on a messenger: a Telegram chat id, a WhatsApp number, a
    Messenger page-scoped id. A message from the handle lands on the contact's timeline."""

    channel = models.CharField(max_length=20, choices=MESSENGER_KINDS)
    handle = models.CharField(max_length=100)
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.CASCADE, related_name="messenger_handles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "handle"], name="contact_handle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.handle}"


class MailFolder(models.Model):
    """How far a folder has been read: a new UIDVALIDITY means the server renumbered it,
    so it is read again from the start (messages already kept are recognised)."""

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="mail_folder_unique")
        ]


class Conversation(ChoiceLabels, models.Model):
    """A thread: the messages that answer one another, on any channel."""

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    account = models.ForeignKey(
        MailAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The subject without "Re:"/"Fwd:" and the addresses taking part, sorted: the thread
    # a message joins when its headers name none that is known.
    subject_key = models.CharField(max_length=300, blank=True)
    participants_key = models.CharField(max_length=1000, blank=True)
    last_message_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A messenger conversation: the account, the chat on the provider's side, and the
    # contact it is with (none while the sender is unknown).
    messenger = models.ForeignKey(
        MessengerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_key = models.CharField(max_length=100, blank=True)
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    sender_name = models.CharField(max_length=200, blank=True)
    # The unified inbox: a conversation waits for an answer while its last message is
    # a received one; it can be assigned, snoozed until a time, or marked done.
    awaiting_reply = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(
                fields=["channel", "subject_key", "participants_key"], name="conversation_key_idx"
            ),
            models.Index(
                fields=["state", "awaiting_reply", "-last_message_at", "-id"],
                name="conversation_inbox_idx",
            ),
            models.Index(
                fields=["channel", "state", "awaiting_reply", "-last_message_at", "-id"],
                name="conversation_channel_idx",
            ),
            models.Index(
                fields=["assignee", "state", "awaiting_reply", "-last_message_at", "-id"],
                name="conversation_assignee_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["messenger", "external_key"],
                condition=models.Q(messenger__isnull=False),
                name="conversation_chat_unique",
            )
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))

    @property
    def is_shared(self) -> bool:
        """In a team's shared account (the inbox may open tickets from it)."""
        holder = self.messenger if self.messenger_id else self.account
        return holder is not None and holder.team_id is not None


class Message(ChoiceLabels, models.Model):
    """One message of a conversation, received or sent. `external_id` is the channel's own
    id (an e-mail's Message-ID): unique per account, so fetching twice keeps one row."""

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    account = models.ForeignKey(
        MailAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    messenger = models.ForeignKey(
        MessengerAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    # A reply sent through a messenger's API: sending, sent or given up, and how often
    # it was tried (the jobs interface tries again with a growing wait).
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    external_id = models.CharField(max_length=500)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.TextField(_("recipients"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(blank=True)  # already sanitised (channels.mail)
    sent_at = models.DateTimeField(_("date"))
    folder = models.CharField(max_length=200, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    # The message as received, kept only while no contact has it (its files wait here).
    raw = models.FileField(upload_to="mail/%Y/%m/", blank=True)
    # The timeline entry that puts it on its contacts' (and their companies') timelines.
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="channel_message"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "account", "external_id"], name="message_external_unique"
            ),
            # A provider sending the same webhook twice keeps one message.
            models.UniqueConstraint(
                fields=["messenger", "external_id"],
                condition=models.Q(messenger__isnull=False),
                name="message_messenger_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["external_id"], name="message_external_idx"),
            models.Index(fields=["conversation", "sent_at"], name="message_thread_idx"),
            models.Index(fields=["from_address"], name="message_from_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))

    def get_absolute_url(self) -> str:
        """Its place in its conversation (search results name a message by its id alone)."""
        return reverse("channels:message", args=[self.pk])

    @property
    def participants(self) -> list[str]:
        return [a for a in [self.from_address, *self.to.split(), *self.cc.split()] if a]


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    VOICE = "voice", _("Voice message")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")


class MediaStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    KEPT = "kept", _("Kept")
    REFUSED = "refused", _("Not kept")
    FAILED = "failed", _("Could not be fetched")


class MessageMedia(models.Model):
    """A photo, document or voice message that came with a messenger message: the
    provider's reference to it (Telegram's file id, WhatsApp's media id, Messenger's
    address) until a job fetches it through the provider's media API and keeps it as a file
    of the message's timeline entry. It waits while the sender is not a contact."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=20, choices=MediaKind.choices)
    ref = models.CharField(max_length=2000)
    name = models.CharField(max_length=255, blank=True)
    declared_type = models.CharField(max_length=120, blank=True)
    declared_size = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MediaStatus.choices, default=MediaStatus.WAITING
    )
    problem = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(MediaKind(self.kind).label)


class OutgoingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Not sent")


class OutgoingMail(models.Model):
    """An e-mail written in the composer and sent later by a job: after a few seconds in
    which it can still be taken back (undo-send), or at the time its author chose. The job
    sends it only if it is still pending when it runs."""

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    record = models.CharField(max_length=60)  # "contact:42": what it was written from
    to = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    reply_to = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        max_length=10, choices=OutgoingStatus.choices, default=OutgoingStatus.PENDING
    )
    error = models.CharField(max_length=500, blank=True)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # The composer lists its author's pending mail about the record it is on.
            models.Index(fields=["author", "record", "status"], name="outgoing_author_idx")
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))


class EmailTemplate(models.Model):
    """A message written once and started from in the composer: its merge fields
    (`{{ contact.first_name }}`, core.merge_fields) are filled from the record it is sent
    about and the person sending it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An unknown merge field is refused when the template is saved, not when it is
        sent; the subject's and the text's errors together."""
        errors: dict[str, list[str]] = {}
        for field in ("subject", "body"):
            try:
                merge_fields.check(getattr(self, field), field)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
