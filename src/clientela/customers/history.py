"""Contacts and companies as the audit trail keeps them, and back again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientela.customers.models import ADDRESS_FIELDS, Company, Contact, LifecycleStage
from clientela.users.models import User

if TYPE_CHECKING:
    from clientela.core.phones import Phone
    from clientela.customers.models import Tag


def _points(record) -> dict:
    return points(
        emails=[(e.address, e.kind) for e in record.emails.all()],
        phones=[(p.raw, p.kind) for p in record.phones.all()],
        addresses=[{k: getattr(a, k) for k in ADDRESS_FIELDS} for a in record.addresses.all()],
        tags=[tag.name for tag in record.tags.all()],
    )


def points(*, emails, phones, addresses, tags) -> dict:
    """A record's e-mails, phones, addresses and tags as its snapshot holds them, from
    (address, kind), (as typed, kind), address dicts and tag names."""
    return {
        "emails": [f"{address} ({kind})" for address, kind in emails],
        "phones": [f"{raw} ({kind})" for raw, kind in phones],
        "addresses": [{k: address.get(k, "") for k in ADDRESS_FIELDS} for address in addresses],
        "tags": sorted(tags),
    }


def points_written(
    creating: bool,
    emails: list[tuple[str, str]] | None,
    phones: list[tuple[Phone, str]] | None,
    addresses: list[dict] | None,
    tags: list[Tag] | None,
) -> dict | None:
    """The record's e-mails, phones, addresses and tags as its snapshot holds them, from
    what a write has just written (each None where the write left it as it was), for
    `core.audit.snapshot(record, at_hand)`; None (read them back) when the write left some
    as they were. A new record has nothing but what it was given."""
    if not creating and None in (emails, phones, addresses, tags):
        return None
    return points(
        emails=emails or [],
        phones=[(phone.raw, kind) for phone, kind in phones or []],
        addresses=addresses or [],
        tags=[tag.name for tag in tags or []],
    )


def contact_snapshot(contact: Contact, points_at_hand: dict | None = None) -> dict:
    """The contact as the audit trail keeps it; `points_at_hand` (from `points`) spares the
    four reads of its e-mails, phones, addresses and tags when the caller has them."""
    return {
        "full_name": contact.full_name,
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "position": contact.position,
        "company": contact.company.name if contact.company is not None else "",
        "lifecycle_stage": contact.lifecycle_stage.key if contact.lifecycle_stage_id else "",
        "source": contact.source,
        "owner": contact.owner.email if contact.owner is not None else "",
        "marketing_consent": contact.marketing_consent,
        "next_step": contact.next_step,
        "language": contact.language,
        "custom": contact.custom or {},
        **(points_at_hand if points_at_hand is not None else _points(contact)),
    }


def company_snapshot(company: Company, points_at_hand: dict | None = None) -> dict:
    """The company as the audit trail keeps it (`points_at_hand` as for contacts)."""
    fields = ("name", "legal_name", "tax_id", "industry", "size", "website", "status")
    return {
        **{name: getattr(company, name) for name in fields},
        "owner": company.owner.email if company.owner is not None else "",
        "custom": company.custom or {},
        **(points_at_hand if points_at_hand is not None else _points(company)),
    }


def _split_kind(text: str) -> dict:
    value, _sep, kind = text.rpartition(" (")
    return {"value": value, "kind": kind.rstrip(")")}


def data_from_snapshot(model, state: dict) -> dict:
    """The service input that brings a record back to `state`."""
    data = dict(state)
    data["owner"] = User.objects.filter(email=state.get("owner") or "").first()
    data["emails"] = [
        {"address": p["value"], "kind": p["kind"]}
        for p in map(_split_kind, state.get("emails", []))
    ]
    data["phones"] = [
        {"number": p["value"], "kind": p["kind"]} for p in map(_split_kind, state.get("phones", []))
    ]
    if model is Contact:
        data["company_name"] = data.pop("company", "")
        stage = LifecycleStage.objects.filter(key=state.get("lifecycle_stage")).first()
        if stage is not None:
            data["lifecycle_stage"] = stage
        else:
            data.pop("lifecycle_stage", None)
    return data
