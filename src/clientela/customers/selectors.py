"""Every read of contacts and companies, limited to what the user may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from clientela.customers.models import (
    ADDRESS_FIELDS,
    Address,
    Company,
    Contact,
    EmailAddress,
    PhoneNumber,
)


def contacts_for(user, action: str = "view") -> QuerySet[Contact]:
    """The one visibility rule for contacts: live ones, within the user's role scope."""
    return Contact.objects.live().visible_to(user, action)


def companies_for(user, action: str = "view") -> QuerySet[Company]:
    return Company.objects.live().visible_to(user, action)


def contact_list(user) -> QuerySet[Contact]:
    return contacts_for(user).select_related("company", "owner", "lifecycle_stage")


def company_list(user) -> QuerySet[Company]:
    return companies_for(user).select_related("owner")


# What a list row shows of a record's company and owner (a link, a name, initials).
ROW_RELATED = {"company": ("name", "owner"), "owner": ("full_name", "email")}


def list_rows(user, record_type: str) -> QuerySet[Contact] | QuerySet[Company]:
    """The records of a list page, with only what a row shows of the related ones: a
    page's 51 companies and owners read whole were a third of its time (their dates
    parsed, their custom fields decoded)."""
    queryset = contact_list(user) if record_type == "contact" else company_list(user)
    # The selectors name their joins, so select_related is a dict of them (not True).
    joined = cast(dict, queryset.query.select_related)
    deferred = [
        f"{relation}__{field.name}"
        for relation, shown in ROW_RELATED.items()
        if relation in joined
        for field in _related_model(queryset.model, relation)._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]
    return queryset.defer(*deferred)


def _related_model(model: type[Model], relation: str) -> type[Model]:
    related = model._meta.get_field(relation).related_model
    assert related is not None and not isinstance(related, str)  # a foreign key's model
    return related


def contact_detail(user, pk: int) -> Contact:
    return contact_list(user).prefetch_related("emails", "phones", "addresses", "tags").get(pk=pk)


def company_detail(user, pk: int) -> Company:
    return company_list(user).prefetch_related("emails", "phones", "addresses", "tags").get(pk=pk)


# Who holds an e-mail address or a phone number: the one answer for tickets, messages,
# replies and imports. A value two contacts share (duplicates not merged yet) names the
# oldest of them, the one added first: a contact's e-mail and phone rows are written anew
# on every edit of them, so the oldest row would name whoever was edited least recently.


def _holding(
    model: type[EmailAddress] | type[PhoneNumber], field: str, values: set[str], user
) -> QuerySet:
    """The e-mail or phone rows with one of `values` of the live contacts `user` may see
    (every live one when `user` is None: the system itself, a public form), oldest contact
    first, each with its contact and the contact's company (a timeline entry rolls up into
    it): one query, however many values."""
    rows = model.objects.filter(**{f"{field}__in": values})
    if user is None:
        rows = rows.filter(contact__isnull=False, contact__deleted_at__isnull=True)
    else:
        rows = rows.filter(contact__in=contacts_for(user))
    return rows.select_related("contact__company").order_by("contact_id", "id")


def _emails(addresses: Iterable[str]) -> set[str]:
    """E-mail addresses as they are stored: lower-cased, so compared in any case."""
    return {address.strip().lower() for address in addresses if address and address.strip()}


def _each_once(rows: QuerySet, key: str) -> dict:
    """The first row's contact for each value of the rows' `key` field."""
    found: dict = {}
    for row in rows:
        if row.contact is not None:  # always: `_holding` reads contacts' rows only
            found.setdefault(getattr(row, key), row.contact)
    return found


def oldest_by_email(addresses: Iterable[str], *, user=None) -> dict[str, Contact]:
    """The oldest live contact holding each of these e-mail addresses, by the address
    lower-cased; an address nobody holds is left out."""
    wanted = _emails(addresses)
    return _each_once(_holding(EmailAddress, "address", wanted, user), "address") if wanted else {}


def oldest_by_phone(numbers: Iterable[str], *, user=None) -> dict[str, Contact]:
    """The oldest live contact holding each of these phone numbers (E.164, as
    `core.phones.normalize` gives them), by number; a number nobody holds is left out."""
    wanted = {number for number in numbers if number}
    return _each_once(_holding(PhoneNumber, "e164", wanted, user), "e164") if wanted else {}


def holding_emails(addresses: Iterable[str], *, user=None) -> list[Contact]:
    """Every live contact holding one of these e-mail addresses, each once, oldest first:
    a message goes on the timeline of everyone it names."""
    wanted = _emails(addresses)
    if not wanted:
        return []
    return list(_each_once(_holding(EmailAddress, "address", wanted, user), "contact_id").values())


@dataclass(slots=True)
class ContactPoints:
    """A contact's or company's e-mails, phones, addresses (in the order the record shows
    them: position, then id) and tag names (by key), as plain data."""

    emails: list[dict] = field(default_factory=list)  # {"address", "kind"}
    phones: list[dict] = field(default_factory=list)  # {"number" (E.164), "kind"}
    addresses: list[dict] = field(default_factory=list)  # ADDRESS_FIELDS
    tags: list[str] = field(default_factory=list)


def with_contact_points(records: Sequence[Contact | Company]) -> Sequence[Contact | Company]:
    """Give each record (all contacts or all companies, already read through a selector
    above) its `contact_points`, in one plain query per relation for all of them: lists and
    exports call it per page or chunk. prefetch_related builds a related manager and a
    queryset per row and relation, which cost an export most of its time."""
    if not records:
        return records
    model = type(records[0])
    by = f"{model._meta.model_name}_id"  # contact_id or company_id
    points = {record.pk: ContactPoints() for record in records}
    ids = list(points)
    emails = EmailAddress.objects.filter(**{f"{by}__in": ids}).order_by("position", "id")
    for pk, address, kind in emails.values_list(by, "address", "kind"):
        points[pk].emails.append({"address": address, "kind": kind})
    phones = PhoneNumber.objects.filter(**{f"{by}__in": ids}).order_by("position", "id")
    for pk, number, kind in phones.values_list(by, "e164", "kind"):
        points[pk].phones.append({"number": number, "kind": kind})
    addresses = Address.objects.filter(**{f"{by}__in": ids}).order_by("position", "id")
    for pk, *values in addresses.values_list(by, *ADDRESS_FIELDS):
        points[pk].addresses.append(dict(zip(ADDRESS_FIELDS, values, strict=True)))
    # The link table, joined to the tag for its name: what `record.tags.all()` gives, in
    # Tag's own order (key), without a Tag object per link.
    links = model.tags.through.objects.filter(**{f"{by}__in": ids}).order_by("tag__key")
    for pk, name in links.values_list(by, "tag__name"):
        points[pk].tags.append(name)
    # `contact_points` is an attribute of these record objects, not a field the models
    # (or the type checker) know.
    for record in records:
        record.contact_points = points[record.pk]  # type: ignore[union-attr]
    return records


def contact_points(record: Contact | Company) -> ContactPoints:
    """The record's e-mails, phones, addresses and tags: as `with_contact_points` gave them
    to its page or chunk, or read now for this one record."""
    if not hasattr(record, "contact_points"):
        with_contact_points([record])
    return record.contact_points  # type: ignore[union-attr]  # given just above


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
