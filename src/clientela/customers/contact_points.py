"""A record's e-mails, phones, addresses and tags: checked as typed or imported, and
written as plain rows (one builder each for a single save and for an import's batch)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from clientela.core import bulk
from clientela.core.phones import Phone
from clientela.core.phones import normalize as normalize_phone
from clientela.customers.models import (
    ADDRESS_FIELDS,
    Address,
    Company,
    Contact,
    EmailAddress,
    Kind,
    PhoneNumber,
    Tag,
)

MAX_TAGS = 50
KINDS = frozenset(Kind.values)  # checked for every e-mail and phone an import brings


WEBSITE = URLValidator(schemes=["http", "https"])


def clean_website(value: str) -> str:
    """A web address as stored and linked to: http or https only, so no stored address
    can run script when clicked (the forms check it too; the API and imports do not)."""
    value = (value or "").strip()
    if value:
        try:
            WEBSITE(value)
        except ValidationError:
            raise ValidationError(
                {"website": _("Give the website as a web address, like https://example.com.")}
            ) from None
    return value


# Contact points -----------------------------------------------------------------------
def clean_emails(items: Iterable[str | dict[str, Any]]) -> list[tuple[str, str]]:
    """[(address, kind)] from dicts or plain strings, lower-cased, duplicates dropped."""
    cleaned: list[tuple[str, str]] = []
    for item in items:
        address, kind = (
            (item, Kind.WORK)
            if isinstance(item, str)
            else (
                item.get("address", ""),
                item.get("kind") or Kind.WORK,
            )
        )
        address = address.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"emails": _("“%(value)s” is not an e-mail address.") % {"value": address}}
            ) from None
        if kind not in KINDS:
            raise ValidationError({"emails": _("Unknown e-mail type “%(kind)s”.") % {"kind": kind}})
        if address not in [existing for existing, _kind in cleaned]:
            cleaned.append((address, kind))
    return cleaned


def clean_phones(items: Iterable[str | dict[str, Any]]) -> list[tuple[Phone, str]]:
    """[(phone, kind)] from dicts or plain strings; a dict's "region" is the country a
    number without a country code is read in (an import's row names it), else the
    installation's."""
    cleaned: list[tuple[Phone, str]] = []
    for item in items:
        raw, kind, region = (
            (item, Kind.WORK, None)
            if isinstance(item, str)
            else (
                item.get("number", ""),
                item.get("kind") or Kind.WORK,
                item.get("region") or None,
            )
        )
        if not raw.strip():
            continue
        kept = None if isinstance(item, str) else item.get("kept")
        if isinstance(kept, Phone):  # an import's number kept as written, never user input
            if kept.e164 not in [existing.e164 for existing, _kind in cleaned]:
                cleaned.append((kept, kind))
            continue
        try:
            phone = normalize_phone(raw, region)
        except ValidationError as error:
            raise ValidationError({"phones": error.messages}) from None
        if kind not in KINDS:
            raise ValidationError({"phones": _("Unknown phone type “%(kind)s”.") % {"kind": kind}})
        if phone.e164 not in [existing.e164 for existing, _kind in cleaned]:
            cleaned.append((phone, kind))
    return cleaned


def owner_of(record: Contact | Company) -> dict[str, int]:
    """The owner column of a contact point row: contact_id or company_id."""
    return {"contact_id": record.pk} if isinstance(record, Contact) else {"company_id": record.pk}


# Contact point rows as plain dicts (bulk.append): one builder each for a single save and
# for an import's batch.
def email_rows(record: Contact | Company, emails: list[tuple[str, str]]) -> list[dict]:
    owner = owner_of(record)
    return [
        {"address": address, "kind": kind, "position": i, **owner}
        for i, (address, kind) in enumerate(emails)
    ]


def phone_rows(record: Contact | Company, phones: list[tuple[Phone, str]]) -> list[dict]:
    owner = owner_of(record)
    return [
        {
            "raw": phone.raw,
            "e164": phone.e164,
            "digits": phone.search_digits,
            "verified": phone.verified,
            "kind": kind,
            "position": i,
            **owner,
        }
        for i, (phone, kind) in enumerate(phones)
    ]


def clean_addresses(addresses: Iterable[dict]) -> list[dict]:
    """Addresses as stored: trimmed, country as two capitals, kind "work" by default; an
    address with nothing but a kind is dropped."""
    cleaned = []
    for item in addresses:
        values = {key: str(item.get(key) or "").strip() for key in ADDRESS_FIELDS}
        values["country"] = values["country"].upper()[:2]
        values["address_kind"] = values["address_kind"] or "work"
        if any(values[key] for key in ADDRESS_FIELDS if key != "address_kind"):
            cleaned.append(values)
    return cleaned


def address_rows(record: Contact | Company, addresses: list[dict]) -> list[dict]:
    owner = owner_of(record)
    return [{"position": i, **values, **owner} for i, values in enumerate(addresses)]


def set_primary(
    record: Contact | Company,
    emails: list[tuple[str, str]] | None,
    phones: list[tuple[Phone, str]] | None,
) -> None:
    """The record's first e-mail and phone on its own row (lists and search show them),
    set before the record is saved, so that saving it once writes them too."""
    if emails is not None:
        record.email = emails[0][0] if emails else ""
    if phones is not None:
        record.phone = phones[0][0].e164 if phones else ""


# `new`: the record was inserted by this write, so it has no rows to delete or compare.
def replace_emails(
    record: Contact | Company, emails: list[tuple[str, str]], *, new: bool = False
) -> None:
    if not new:
        EmailAddress.objects.filter(**owner_of(record)).delete()
    bulk.append(EmailAddress, email_rows(record, emails))
    set_primary(record, emails, None)


def replace_phones(
    record: Contact | Company, phones: list[tuple[Phone, str]], *, new: bool = False
) -> None:
    if not new:
        PhoneNumber.objects.filter(**owner_of(record)).delete()
    bulk.append(PhoneNumber, phone_rows(record, phones))
    set_primary(record, None, phones)


def replace_addresses(
    record: Contact | Company, addresses: list[dict], *, new: bool = False
) -> None:
    """`addresses` as `clean_addresses` returns them."""
    if not new:
        Address.objects.filter(**owner_of(record)).delete()
    bulk.append(Address, address_rows(record, addresses))


def replace_tags(record: Contact | Company, tags: list[Tag], *, new: bool = False) -> None:
    if not new:
        record.tags.set(tags)
    elif tags:
        record.tags.add(*tags)


def tags_named(names: Iterable[str], known: dict[str, Tag] | None = None) -> list[Tag]:
    """The tags with these names, each once ("VIP" and "vip" are one), created when
    missing; `known` remembers them across calls (an import's batch names the same few
    tags again and again)."""
    names = [name.strip() for name in names if name and name.strip()]
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    known = {} if known is None else known
    tags = []
    for name in dict.fromkeys(names, None):
        key = name.lower()
        if key not in known:
            known[key] = Tag.objects.filter(key=key).first() or Tag.objects.create(name=name[:60])
        if known[key] not in tags:  # a batch writes the links itself: each must be new
            tags.append(known[key])
    return tags
