"""Every write to tickets: open one (whatever the channel), reply or note, change its
status, assign, transfer, edit, trash. Departments and routing rules are written in
`configuration`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind, Priority
from clientela.core import audit, merge_fields, permissions, phrases, search
from clientela.core.concurrency import claim_version
from clientela.core.record_services import fresh, trash_record
from clientela.core.text import fold
from clientela.customers import contact_points
from clientela.customers import services as customers
from clientela.customers.models import Company, Contact, EmailAddress, Source
from clientela.orders.models import Order
from clientela.tickets import knowledge, outbound, routing, sla, surveys
from clientela.tickets.configuration import default_department, ensure_defaults
from clientela.tickets.models import (
    DONE,
    Article,
    Assignment,
    Channel,
    Department,
    RoutingRule,
    SlaPolicy,
    StatusTransition,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from clientela.users.models import User

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from clientela.deals.models import Deal

MAX_TEXT = 20_000
MAX_FILES = 10


# Departments and SLA targets, as the services need them ----------------------------------
def ensure_department() -> Department:
    """The first department: a new installation takes tickets at once, in a "Support"
    department of the people in the Support team (an administrator changes it after)."""
    return Department.objects.first() or default_department()


def calendar_of(department: Department) -> sla.Calendar:
    return sla.Calendar.of(department.hours, department.holidays, department.time_zone)


def policy_for(priority: str, tier: str) -> SlaPolicy | None:
    """The customer tier's own targets for the priority, else every customer's."""
    policies = {p.tier: p for p in SlaPolicy.objects.filter(priority=priority, tier__in={tier, ""})}
    if not policies and not SlaPolicy.objects.exists():
        ensure_defaults()
        return policy_for(priority, tier)
    return policies.get(tier) or policies.get("")


def _set_due_times(ticket: Ticket) -> None:
    policy = policy_for(ticket.priority, ticket.tier)
    calendar = calendar_of(ticket.department)
    start = ticket.created_at or timezone.now()
    ticket.first_response_due = sla.due(
        calendar, start, policy.first_response_minutes if policy else None
    )
    ticket.resolution_due = sla.due(calendar, start, policy.resolution_minutes if policy else None)


def _customer_tags(contact: Contact | None, company: Company | None) -> list[str]:
    names: list[str] = []
    for record in (contact, company):
        if record is not None and record.pk:
            names += [tag.name for tag in record.tags.all()]
    return names


def tier_of(tags: Sequence[str]) -> str:
    """The customer's tier: the first of their tags that names an SLA tier."""
    tiers = {fold(t): t for t in SlaPolicy.objects.exclude(tier="").values_list("tier", flat=True)}
    return next((tiers[fold(tag)] for tag in tags if fold(tag) in tiers), "")


def next_assignee(department: Department) -> User | None:
    """The member a new ticket of the department goes to: the one after the last assigned
    (round robin) or the one with fewest open tickets (least loaded), among the active
    members; None when it has none. The department's row is locked for the pick, so two
    tickets at once do not both go to the same person by round robin."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    members = list(
        User.objects.filter(pk__in=department.members.all(), is_active=True).order_by("pk")
    )
    if not members:
        return None
    if department.assignment == Assignment.LEAST_LOADED:
        load = dict(
            Ticket.objects.live()
            .filter(owner__in=members)
            .exclude(status__in=DONE)
            .values_list("owner")
            .annotate(n=Count("id"))
            .order_by()
        )
        chosen = min(members, key=lambda user: (load.get(user.pk, 0), user.pk))
    else:
        last = department.last_assigned_id or 0
        chosen = next((user for user in members if user.pk > last), members[0])
    Department.objects.filter(pk=department.pk).update(last_assigned=chosen)
    return chosen


# Opening a ticket --------------------------------------------------------------------------
def _clean_text(value: str, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return text


def _check_choice(value: str, choices: list[str], field: str) -> None:
    if value not in choices:
        raise ValidationError({field: _("Choose one of: %(c)s.") % {"c": ", ".join(choices)}})


def customer_for_email(*, actor: User | None, email: str, name: str, language: str = "") -> Contact:
    """The live contact with this e-mail address, else a new one (a request from someone
    the business has not met yet), who is written to in `language` when the product
    writes in it (the language their request came in)."""
    address = (email or "").strip().lower()
    if not address:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    found = (
        EmailAddress.objects.filter(
            address=address, contact__isnull=False, contact__deleted_at__isnull=True
        )
        .select_related("contact")
        .order_by("pk")
        .first()
    )
    if found is not None and found.contact is not None:
        return found.contact
    full_name = " ".join((name or "").split())[:200] or address.split("@", 1)[0]
    data = {"full_name": full_name, "emails": [address], "source": Source.WEB}
    if language in dict(settings.LANGUAGES):
        data["language"] = language
    return customers.create_contact(actor=actor, data=data)


def _order_stage(order: Order | None, contact: Contact | None, company: Company | None) -> str:
    """The status (stage key) routing reads: the ticket's order's, else that of the
    customer's latest order (the contact's, else the company's); "" when there is none."""
    if order is None and (contact is not None or company is not None):
        mine = Order.objects.filter(deleted_at__isnull=True)
        mine = mine.filter(contact=contact) if contact is not None else mine.filter(company=company)
        order = mine.select_related("stage").order_by("-created_at", "-id").first()
    return order.stage.key if order is not None else ""


def _may_open(actor: User | None) -> None:
    if actor is not None and permissions.scope(actor, "ticket", "edit") == permissions.NONE:
        raise PermissionDenied(_("Your role does not allow opening tickets."))


@transaction.atomic
def open_ticket(
    *,
    actor: User | None,
    channel: str,
    subject: str,
    description: str = "",
    contact: Contact | None = None,
    company: Company | None = None,
    email: str = "",
    name: str = "",
    order: Order | None = None,
    deal: Deal | None = None,
    priority: str = Priority.NORMAL,
    language: str = "",
    tags: Sequence[str] = (),
    department: Department | None = None,
    assignee: User | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """The one way a ticket comes in: a channel (the form, the UI, the API, later e-mail)
    hands over the message and who sent it. The customer is the contact given, or the one
    with the e-mail address (created when there is none); routing rules place the ticket
    in a department unless one is given, and it is assigned in that department's way
    unless an assignee is given. The ticket's SLA clock starts now, in the department's
    business hours."""
    _may_open(actor)
    _check_choice(channel, list(Channel.values), "channel")
    _check_choice(priority, list(Priority.values), "priority")
    subject = " ".join(_clean_text(subject, "subject", required=True, limit=200).split())
    description = _clean_text(description, "description", required=False, limit=MAX_TEXT)
    language = _clean_text(language, "language", required=False, limit=10).lower()
    if len(attachments) > MAX_FILES:
        raise ValidationError({"attachments": _("At most %(n)d files.") % {"n": MAX_FILES}})
    for upload in attachments:
        activities.check_file(upload)
    if contact is None and (email or "").strip():
        contact = customer_for_email(actor=actor, email=email, name=name, language=language)
    if company is None and contact is not None and contact.company_id:
        company = contact.company
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("That person no longer works here.")})
    customer_tags = _customer_tags(contact, company)
    tier = tier_of(customer_tags)
    rule = None
    if department is None:
        rules = list(RoutingRule.objects.select_related("department"))
        facts = routing.Facts.of(
            subject=subject,
            description=description,
            tags=customer_tags,
            tier=tier,
            channel=channel,
            language=language,
            order_stage=_order_stage(order, contact, company)
            if routing.needs_order_stage(rules)
            else "",
        )
        rule = routing.first_match(rules, facts)
        department = rule.department if rule is not None else ensure_department()
    now = timezone.now()
    ticket = Ticket(
        subject=subject,
        description=description,
        contact=contact,
        company=company,
        order=order,
        deal=deal,
        department=department,
        priority=priority,
        channel=channel,
        language=language,
        tier=tier,
        status=TicketStatus.NEW,
        status_changed_at=now,
        created_at=now,
    )
    _set_due_times(ticket)
    ticket.save()
    if tags:
        ticket.tags.set(contact_points.tags_named(tags))
    search.index(ticket)
    audit.log(actor=actor, action="create", record=ticket, after=audit.snapshot(ticket))
    entry = activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext(
            "Ticket #%(number)s opened: %(subject)s", number=ticket.pk, subject=ticket.subject
        ),
        body=description,
        occurred_at=now,
    )
    TicketMessage.objects.create(ticket=ticket, activity=entry, from_customer=True)
    for upload in attachments:
        activities.attach_file(
            actor=actor, record=ticket, upload=upload, activity=entry, checked=True
        )
    owner = assignee or next_assignee(department)
    if owner is not None:
        reason = _("routing rule %(rule)s") % {"rule": rule.name} if rule is not None else ""
        _assign(actor, ticket, owner, reason)
    return ticket


# Changing a ticket -------------------------------------------------------------------------
def _may_edit(actor: User | None, ticket: Ticket) -> None:
    permissions.check(actor, ticket, "edit")
    if ticket.deleted_at is not None:
        raise ValidationError(_("This ticket is in the trash."))


def _saved(
    actor: User | None,
    ticket: Ticket,
    before: dict,
    action: str,
    fields: list[str],
    expected_version: int | None,
    extra: dict | None = None,
) -> Ticket:
    """Save the changed fields, raise the version (refusing a stale one), re-index and
    write the audit entry: every change of a ticket ends here."""
    claim_version(ticket, expected_version)
    ticket.save(update_fields=[*fields, "updated_at"])
    search.index(ticket)
    fresh(ticket)
    after = audit.snapshot(ticket)
    if extra:
        before = {**before, **{key: "" for key in extra}}
        after = {**after, **extra}
    audit.log(actor=actor, action=action, record=ticket, before=before, after=after)
    return ticket


def _assign(actor: User | None, ticket: Ticket, owner: User | None, reason: str = "") -> None:
    before = audit.snapshot(ticket)
    ticket.owner = owner
    _saved(actor, ticket, before, "assign", ["owner"], None, {"reason": reason} if reason else None)


@transaction.atomic
def assign(
    *, actor: User | None, ticket: Ticket, assignee: User | None, expected_version: int | None
) -> Ticket:
    _may_edit(actor, ticket)
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("That person no longer works here.")})
    if assignee == ticket.owner:
        claim_version(ticket, expected_version)
        return ticket
    before = audit.snapshot(ticket)
    ticket.owner = assignee
    return _saved(actor, ticket, before, "assign", ["owner"], expected_version)


@transaction.atomic
def transfer(
    *,
    actor: User | None,
    ticket: Ticket,
    department: Department,
    reason: str,
    expected_version: int | None,
) -> Ticket:
    """Move the ticket to another department with the reason, kept in its history and on
    its timeline; it is assigned anew there, in that department's way."""
    _may_edit(actor, ticket)
    reason = " ".join(_clean_text(reason, "reason", required=True, limit=300).split())
    if department.pk == ticket.department_id:
        raise ValidationError({"department": _("The ticket is in that department already.")})
    previous = ticket.department
    before = audit.snapshot(ticket)
    ticket.department = department
    ticket.owner = next_assignee(department)
    _saved(
        actor,
        ticket,
        before,
        "transfer",
        ["department", "owner"],
        expected_version,
        {"reason": reason},
    )
    activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext(
            "Ticket #%(number)s moved from %(from)s to %(to)s",
            number=ticket.pk,
            **{"from": previous, "to": department},
        ),
        body=reason,
    )
    return ticket


def allowed_statuses(status: str) -> list[str]:
    """The statuses a ticket in `status` may move to, by the business's table."""
    allowed = list(
        StatusTransition.objects.filter(from_status=status).values_list("to_status", flat=True)
    )
    if not allowed and not StatusTransition.objects.exists():
        ensure_defaults()
        return allowed_statuses(status)
    return allowed


STATUS_FIELDS = [
    "status",
    "status_changed_at",
    "resolved_at",
    "sla_paused_at",
    "first_response_due",
    "resolution_due",
]


def move_status(
    *,
    actor: User | None,
    ticket: Ticket,
    to: str,
    now: datetime.datetime | None = None,
    expected_version: int | None = None,
    before: dict | None = None,
    also: Sequence[str] = (),
) -> Ticket:
    """The one status move, of the agent's steps (they check role and table) and the customer's
    answer (intake): the SLA clock stops while waiting on them, then resumes shifted by the
    time it stood; saved, audited, surveyed on resolving. `also`: fields changed since `before`."""
    now = now or timezone.now()
    before = audit.snapshot(ticket) if before is None else before
    calendar = calendar_of(ticket.department)
    if ticket.status == TicketStatus.WAITING and ticket.sla_paused_at is not None:
        paused_at = ticket.sla_paused_at
        if ticket.first_responded_at is None:
            ticket.first_response_due = sla.resumed(
                calendar, ticket.first_response_due, paused_at, now
            )
        ticket.resolution_due = sla.resumed(calendar, ticket.resolution_due, paused_at, now)
        ticket.sla_paused_at = None
    if to == TicketStatus.WAITING:
        ticket.sla_paused_at = now
    ticket.resolved_at = (ticket.resolved_at or now) if to in DONE else None
    ticket.status, ticket.status_changed_at = to, now
    action = "resolve" if to == TicketStatus.RESOLVED else "update"
    _saved(actor, ticket, before, action, [*also, *STATUS_FIELDS], expected_version)
    if to == TicketStatus.RESOLVED:
        surveys.start(ticket)
    return ticket


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    ticket: Ticket,
    to: str,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Ticket:
    _may_edit(actor, ticket)
    _check_choice(to, list(TicketStatus.values), "status")
    if to == ticket.status:
        claim_version(ticket, expected_version)
        return ticket
    if to not in allowed_statuses(ticket.status):
        raise ValidationError(
            {
                "status": _("A ticket that is %(from)s can't be marked %(to)s.")
                % {
                    "from": TicketStatus(ticket.status).label,
                    "to": TicketStatus(to).label,
                }
            }
        )
    now = now or timezone.now()
    reopened = ticket.status in DONE
    move_status(actor=actor, ticket=ticket, to=to, now=now, expected_version=expected_version)
    if to in DONE or reopened:
        activities.record_event(
            actor=actor,
            records=[ticket],
            kind=ActivityKind.TICKET,
            subject=phrases.gettext(
                "Ticket #%(number)s is %(status)s",
                number=ticket.pk,
                status=phrases.in_lowercase(TicketStatus(to).label),
            ),
            occurred_at=now,
        )
    return ticket


@transaction.atomic
def reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    status: str = "",
    expected_version: int | None = None,
    articles: Sequence[Article] = (),
) -> TicketMessage:
    """An agent's public reply (the first one stops the first-response clock, and a new
    ticket becomes open) or internal note, with its files; `status` moves the ticket on
    in the same step ("reply and wait for the customer"). Merge fields of canned replies
    are filled from the ticket; `articles` inserted into it are linked to the ticket."""
    _may_edit(actor, ticket)
    body = _clean_text(body, "body", required=True, limit=MAX_TEXT)
    body = merge_fields.fill(body, merge_fields.Sources.about(ticket, actor))
    if len(attachments) > MAX_FILES:
        raise ValidationError({"attachments": _("At most %(n)d files.") % {"n": MAX_FILES}})
    for upload in attachments:
        activities.check_file(upload)
    now = timezone.now()
    entry = activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext("Internal note on ticket #%(number)s", number=ticket.pk)
        if internal
        else phrases.gettext("Reply on ticket #%(number)s", number=ticket.pk),
        body=body,
        occurred_at=now,
    )
    message = TicketMessage.objects.create(ticket=ticket, activity=entry, internal=internal)
    knowledge.link_articles(actor=actor, ticket=ticket, articles=articles)
    for upload in attachments:
        activities.attach_file(
            actor=actor, record=ticket, upload=upload, activity=entry, checked=True
        )
    before = audit.snapshot(ticket)
    fields: list[str] = []
    if not internal and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        fields.append("first_responded_at")
    target = status or (
        TicketStatus.OPEN if not internal and ticket.status == TicketStatus.NEW else ""
    )
    if target and target != ticket.status:
        _check_choice(target, list(TicketStatus.values), "status")
        if target not in allowed_statuses(ticket.status):
            raise ValidationError(
                {
                    "status": _("The ticket can't move to %(to)s now.")
                    % {"to": TicketStatus(target).label}
                }
            )
        move_status(
            actor=actor,
            ticket=ticket,
            to=target,
            now=now,
            expected_version=expected_version,
            before=before,
            also=fields,
        )
    elif fields or expected_version is not None:
        _saved(actor, ticket, before, "update", fields, expected_version)
    outbound.queue_delivery(message)
    return message


RESTORABLE = ("subject", "description", "priority", "language")
EDITABLE = ("subject", "description", "priority", "language", "order", "deal", "contact", "company")


@transaction.atomic
def update_ticket(
    *,
    actor: User | None,
    ticket: Ticket,
    data: dict[str, Any],
    expected_version: int | None,
    action: str = "update",
) -> Ticket:
    """Change what the ticket is about; a new priority sets its SLA targets anew, from
    when it was opened."""
    _may_edit(actor, ticket)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = audit.snapshot(ticket)
    if "subject" in data:
        data["subject"] = " ".join(
            _clean_text(data["subject"], "subject", required=True, limit=200).split()
        )
    if "description" in data:
        data["description"] = _clean_text(
            data["description"], "description", required=False, limit=MAX_TEXT
        )
    if "priority" in data:
        _check_choice(data["priority"], list(Priority.values), "priority")
    if "language" in data:
        data["language"] = _clean_text(data["language"], "language", required=False, limit=10)
    for key, value in data.items():
        setattr(ticket, key, value)
    fields = list(data)
    if "priority" in data and before["priority"] != ticket.priority:
        _set_due_times(ticket)
        fields += ["first_response_due", "resolution_due"]
    return _saved(actor, ticket, before, action, fields, expected_version)


def restore_ticket(*, actor: User | None, record: Ticket, state: dict, action: str) -> Ticket:
    """An earlier version's wording and priority (the history page's "Restore"); who it is
    assigned to and its status move only through their own steps."""
    data = {key: state[key] for key in RESTORABLE if key in state}
    return update_ticket(
        actor=actor, ticket=record, data=data, expected_version=None, action=action
    )


@transaction.atomic
def trash_ticket(*, actor: User | None, ticket: Ticket) -> None:
    trash_record(actor=actor, record=ticket)
