"""The service desk: departments (queues) with their hours, routing rules, SLA policies,
tickets and their conversation, and which status may follow which."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.activities.models import Activity, Priority
from clientela.core.links import record_url
from clientela.core.models import Record
from clientela.customers.models import Company, Contact, Tag
from clientela.deals.models import Deal
from clientela.orders.models import Order

# Monday to Friday, 9 to 18: what a new department starts with.
DEFAULT_HOURS = {str(day): ["09:00", "18:00"] for day in range(5)}


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    # "Open" alone is the button's verb; a ticket's status is the adjective.
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# A ticket in these is finished: no SLA clock runs, it is not in anyone's open load.
DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    UI = "ui", _("Entered by an agent")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")


class Assignment(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class Department(models.Model):
    """A queue of tickets with the people who answer them, its business hours and holidays."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+"
    )
    assignment = models.CharField(
        _("assign new tickets"),
        max_length=20,
        choices=Assignment.choices,
        default=Assignment.ROUND_ROBIN,
    )
    # Round robin's place: the member who got the last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Bucharest")
    # Weekday (0 = Monday) → ["09:00", "18:00"]; a day left out is closed.
    hours = models.JSONField(_("business hours"), default=dict, blank=True)
    # ISO dates ("2026-12-25") the department is closed.
    holidays = models.JSONField(_("holidays"), default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """When a new ticket matches every condition filled in, it goes to `department`. Rules
    are tried in order; the first that matches wins."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="rules"
    )
    # Comma-separated words or phrases, any of which in the subject or text matches.
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    customer_tag = models.CharField(_("customer tag or tier"), max_length=60, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The key of an order stage: the ticket's order (or else its customer's latest) is in it.
    order_stage = models.CharField(_("order status"), max_length=40, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """How soon a ticket of a priority (and a customer tier, a customer tag; blank for
    every other customer) must be answered and resolved, in business minutes."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    tier = models.CharField(_("customer tier"), max_length=60, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))

    class Meta:
        ordering = ["tier", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["priority", "tier"], name="sla_policy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} {self.tier}".strip()


class StatusTransition(models.Model):
    """A status a ticket may move to from another: the business's own table."""

    from_status = models.CharField(_("from"), max_length=10, choices=TicketStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=TicketStatus.choices)

    class Meta:
        ordering = ["from_status", "to_status"]
        verbose_name = _("status transition")
        verbose_name_plural = _("status transitions")
        constraints = [
            models.UniqueConstraint(fields=["from_status", "to_status"], name="ticket_move_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Ticket(Record):
    """A customer's request. Its number is its id; its owner is the agent it is assigned to
    (so the roles' own/team scopes read "assigned to me / my team")."""

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.UI
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    tier = models.CharField(_("customer tier"), max_length=60, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    status_changed_at = models.DateTimeField(_("status since"))
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # When the clock stopped for the customer's answer; None while it runs.
    sla_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The ticket this one was merged into, as a duplicate (it is closed then).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The list is newest first; each filter it offers has its own ordered range.
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_idx"),
            models.Index(fields=["department", "-created_at", "-id"], name="ticket_queue_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="ticket_owner_idx"),
            models.Index(fields=["priority", "-created_at", "-id"], name="ticket_priority_idx"),
            models.Index(fields=["contact", "-created_at"], name="ticket_contact_idx"),
            models.Index(fields=["company", "-created_at"], name="ticket_company_idx"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            # The SLA check reads the deadlines of a day around now.
            models.Index(fields=["first_response_due"], name="ticket_response_due_idx"),
            models.Index(fields=["resolution_due"], name="ticket_resolution_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    def get_absolute_url(self) -> str:
        return record_url("tickets:detail", self.pk)


class TicketMessage(models.Model):
    """One message of a ticket's conversation: the customer's, an agent's public reply, or
    an internal note. Its text, author, time and files are its timeline entry's."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="+")
    internal = models.BooleanField(_("internal note"), default=False)
    from_customer = models.BooleanField(default=False)
    # The channel's own id of the message (an e-mail's Message-ID), received or sent: a
    # customer's answer naming it joins this ticket.
    external_id = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [
            models.Index(fields=["ticket", "id"], name="ticket_message_idx"),
            models.Index(
                fields=["external_id"],
                name="ticket_message_external_idx",
                condition=~Q(external_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(internal=True, from_customer=True), name="ticket_note_is_agents"
            )
        ]


class CannedReply(Record):
    """A reply agents use again and again, with merge fields (`{{ contact.first_name }}`)
    filled from the ticket when the reply is sent (`core.merge_fields`)."""

    name = models.CharField(_("name"), max_length=120)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("tickets:canned-edit", self.pk)


class ArticleCategory(models.Model):
    """A shelf of the knowledge base."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.name


class Article(Record):
    """A knowledge base article: how to answer a kind of question. Its versions are its
    audit entries (the history page restores any of them); its owner is who wrote it."""

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # The knowledge base lists by title, all of it or one category.
            models.Index(fields=["title", "id"], name="article_title_idx"),
            models.Index(fields=["category", "title"], name="article_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("tickets:article", self.pk)


class TicketArticle(models.Model):
    """An article used on a ticket: inserted into a reply or linked by an agent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("article used on a ticket")
        verbose_name_plural = _("articles used on tickets")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="ticket_article_unique")
        ]
        indexes = [models.Index(fields=["article", "ticket"], name="ticket_article_idx")]


class TicketMerge(models.Model):
    """A duplicate ticket merged into the one kept: what moved (by row id) and how the
    duplicate stood, so the merge can be undone exactly."""

    kept = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    duplicate = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    moved = models.JSONField(default=dict)
    # The duplicate's status fields (and the kept ticket's order and deal) before.
    before = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket merge")
        verbose_name_plural = _("ticket merges")
        indexes = [models.Index(fields=["kept", "-created_at"], name="ticket_merge_kept_idx")]


class Survey(models.Model):
    """The satisfaction survey sent when a ticket is resolved, or an order delivered: a
    rating from 1 to 5 and a comment, answered once through a signed public link. Who
    answered the ticket and its department are kept as they were then, so the report per
    agent and queue stays true after a transfer."""

    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey",
    )
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            # The report reads the answers of a period, by agent; a customer's page, theirs.
            models.Index(fields=["answered_at", "agent"], name="survey_answered_idx"),
            models.Index(fields=["contact", "-answered_at"], name="survey_contact_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(ticket__isnull=True, order__isnull=False)
                | Q(ticket__isnull=False, order__isnull=True),
                name="survey_about_a_ticket_or_an_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.rating or ''}".strip()

    @property
    def subject(self) -> Ticket | Order:
        """What the customer is asked about: the ticket, or the order delivered."""
        return self.ticket if self.ticket_id else self.order  # type: ignore[return-value]
