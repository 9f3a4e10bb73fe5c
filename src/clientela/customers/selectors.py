"""Every read of contacts and companies, limited to what the user may see."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clientela.customers.models import Company, Contact
from clientela.users import permissions


def contacts_for(user, action: str = "view") -> QuerySet[Contact]:
    """The one visibility rule for contacts: live ones, within the user's role scope."""
    return permissions.limit(
        user, Contact.objects.filter(deleted_at__isnull=True), "contact", action
    )


def companies_for(user, action: str = "view") -> QuerySet[Company]:
    return permissions.limit(
        user, Company.objects.filter(deleted_at__isnull=True), "company", action
    )


def trashed_for(user, model) -> QuerySet:
    """Records in the trash the user could delete (and so may restore)."""
    return permissions.limit(
        user, model.objects.filter(deleted_at__isnull=False), model._meta.model_name, "delete"
    )


def contact_list(user) -> QuerySet[Contact]:
    return contacts_for(user).select_related("company", "owner", "lifecycle_stage")


def company_list(user) -> QuerySet[Company]:
    return companies_for(user).select_related("owner")


def contact_detail(user, pk: int) -> Contact:
    return contact_list(user).prefetch_related("emails", "phones", "addresses", "tags").get(pk=pk)


def company_detail(user, pk: int) -> Company:
    return company_list(user).prefetch_related("emails", "phones", "addresses", "tags").get(pk=pk)


def stale_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.STALE_AFTER_DAYS)


def stale_filter() -> Q:
    """Nothing logged since the cutoff (a record never worked on counts from its creation)."""
    cutoff = stale_cutoff()
    return Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)


def is_stale(record) -> bool:
    cutoff = stale_cutoff()
    return (record.last_activity_at or record.created_at) < cutoff


def needs_attention(user, limit: int = 10) -> QuerySet[Contact]:
    """The user's own contacts gone stale, oldest first, for their home page."""
    return (
        contact_list(user)
        .filter(owner=user)
        .filter(stale_filter())
        .order_by("last_activity_at", "id")[:limit]
    )


def team_book(user, member_ids: list[int]) -> dict:
    """Per member: live contacts owned, added in the last 30 days, gone stale; one grouped
    query over the owner index."""
    cutoff = timezone.now() - datetime.timedelta(days=30)
    rows = (
        contacts_for(user)
        .filter(owner_id__in=member_ids)
        .values("owner_id")
        .annotate(
            owned=Count("id"),
            new_30d=Count("id", filter=Q(created_at__gte=cutoff)),
            stale=Count("id", filter=stale_filter()),
        )
    )
    numbers = {pk: {"owned": 0, "new_30d": 0, "stale": 0} for pk in member_ids}
    for row in rows:
        numbers[row["owner_id"]].update(
            owned=row["owned"], new_30d=row["new_30d"], stale=row["stale"]
        )
    return numbers


def team_stuck(user, member_ids: list[int], limit: int = 8) -> QuerySet[Contact]:
    """The team's contacts with no activity for longest: what a manager looks at first."""
    return (
        contact_list(user)
        .filter(owner_id__in=member_ids)
        .filter(stale_filter())
        .select_related("owner")
        .order_by("last_activity_at", "id")[:limit]
    )
