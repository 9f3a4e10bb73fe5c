"""Where a ticket goes and by when: the department (its calendar, its next assignee by
round robin or load) and the SLA targets of a priority for a customer tier."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone

from clientela.core.text import fold
from clientela.customers.models import Company, Contact
from clientela.tickets import sla
from clientela.tickets.configuration import default_department, ensure_defaults
from clientela.tickets.models import DONE, Assignment, Department, SlaPolicy, Ticket
from clientela.users.models import User


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


def set_due_times(ticket: Ticket) -> None:
    policy = policy_for(ticket.priority, ticket.tier)
    calendar = calendar_of(ticket.department)
    start = ticket.created_at or timezone.now()
    ticket.first_response_due = sla.due(
        calendar, start, policy.first_response_minutes if policy else None
    )
    ticket.resolution_due = sla.due(calendar, start, policy.resolution_minutes if policy else None)


def tags_of(contact: Contact | None, company: Company | None) -> list[str]:
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
