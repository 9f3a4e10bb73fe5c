"""Every write to contacts and companies: create, edit, quick-add, bulk changes, going back
to a snapshot (trash and merge are core.record_services and customers.merging)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, bulk, custom_fields, permissions, record_services, search
from clientela.core.concurrency import claim_version
from clientela.core.text import fold
from clientela.customers import contact_points
from clientela.customers.history import points as history_points
from clientela.customers.history import points_written
from clientela.customers.models import (
    Address,
    Company,
    Contact,
    EmailAddress,
    Employment,
    LifecycleChange,
    LifecycleStage,
    PhoneNumber,
    Tag,
)
from clientela.customers.search_documents import company_document_from, contact_document_from

if TYPE_CHECKING:
    from clientela.core.models import CustomField
    from clientela.core.search import Document
    from clientela.users.models import User

CONTACT_FIELDS = (
    "given_name",
    "family_name",
    "full_name",
    "position",
    "company",
    "lifecycle_stage",
    "source",
    "owner",
    "marketing_consent",
    "next_step",
    "language",
)
COMPANY_FIELDS = (
    "name",
    "legal_name",
    "tax_id",
    "industry",
    "size",
    "website",
    "status",
    "owner",
)
# Contacts -----------------------------------------------------------------------------
DEFAULT_STAGES = (
    # Stored in English, shown in the reader's language (LifecycleStage.label).
    ("lead", "Lead"),
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("former-customer", "Former customer"),
)


def ensure_stages() -> list[LifecycleStage]:
    """The lifecycle stages, with the default four created when there are none at all
    (a database emptied by hand or by a test must still take new contacts)."""
    stages = list(LifecycleStage.objects.all())
    if stages:
        return stages
    for position, (key, name) in enumerate(DEFAULT_STAGES):
        LifecycleStage.objects.get_or_create(
            key=key, defaults={"name": str(name), "position": position, "is_default": position == 0}
        )
    return list(LifecycleStage.objects.all())


def default_stage() -> LifecycleStage:
    stages = ensure_stages()
    return next((stage for stage in stages if stage.is_default), stages[0])


def _apply_names(contact: Contact, data: dict) -> None:
    for key in ("given_name", "family_name", "full_name"):
        if key in data:
            setattr(contact, key, " ".join(str(data[key] or "").split()))
    if not data.get("full_name") and ("given_name" in data or "family_name" in data):
        contact.full_name = " ".join(p for p in (contact.given_name, contact.family_name) if p)
    if not contact.full_name:
        raise ValidationError({"full_name": _("A contact needs a name.")})
    contact.name_key = fold(contact.full_name)[:200]


def _clean_language(data: dict) -> None:
    """A contact's language is one the product speaks, or none (the sender's)."""
    if "language" not in data:
        return
    language = (data["language"] or "").strip().lower()
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {
                "language": _("“%(code)s” is not a language Clientela writes in.")
                % {"code": language}
            }
        )
    data["language"] = language


def _save_contact(
    *,
    actor: User | None,
    contact: Contact,
    data: dict,
    creating: bool,
    action: str = "",
    custom_definitions: list[CustomField] | None = None,
) -> Contact:
    before = None if creating else audit.snapshot(contact)
    previous_company_id = contact.company_id
    previous_stage_id = contact.lifecycle_stage_id if not creating else None
    if "company_name" in data:
        name = (data.pop("company_name") or "").strip()
        current = contact.company if contact.company_id else None
        data["company"] = company_named(actor=actor, name=name, current=current) if name else None
    _apply_names(contact, data)
    _clean_language(data)
    for key in CONTACT_FIELDS:
        if key in data and key not in {"given_name", "family_name", "full_name"}:
            setattr(contact, key, data[key])
    if creating and contact.lifecycle_stage_id is None:
        contact.lifecycle_stage = default_stage()
    if "marketing_consent" in data:
        contact.marketing_consent_at = timezone.now() if data["marketing_consent"] else None
    emails = contact_points.clean_emails(data["emails"]) if "emails" in data else None
    phones = contact_points.clean_phones(data["phones"]) if "phones" in data else None
    if "custom" in data:
        contact.custom = custom_fields.clean(
            "contact", data["custom"] or {}, fields=custom_definitions
        )
    tags = contact_points.tags_named(data["tags"]) if "tags" in data else None

    contact_points.set_primary(contact, emails, phones)
    contact.save()
    # A new contact has no e-mails, phones, addresses, tags or employment to replace: none
    # is read or deleted (5 statements of a create).
    if emails is not None:
        contact_points.replace_emails(contact, emails, new=creating)
    if phones is not None:
        contact_points.replace_phones(contact, phones, new=creating)
    addresses = contact_points.clean_addresses(data["addresses"]) if "addresses" in data else None
    if addresses is not None:
        contact_points.replace_addresses(contact, addresses, new=creating)
    if tags is not None:
        contact_points.replace_tags(contact, tags, new=creating)

    now = timezone.now()
    if contact.company_id != previous_company_id:
        if not creating:
            Employment.objects.filter(contact=contact, ended_at__isnull=True).update(ended_at=now)
        if contact.company_id:
            Employment.objects.create(
                contact=contact,
                company_id=contact.company_id,
                position=contact.position,
                started_at=now,
            )
    if contact.lifecycle_stage_id != previous_stage_id:
        LifecycleChange.objects.create(
            contact=contact,
            from_stage_id=previous_stage_id,
            to_stage_id=contact.lifecycle_stage_id,
            changed_at=now,
            changed_by=actor,
        )
    search.index(contact, _document(contact, emails, phones))
    record_services.fresh(contact)
    audit.log(
        actor=actor,
        action=action or ("create" if creating else "update"),
        record=contact,
        before=before,
        after=audit.snapshot(contact, points_written(creating, emails, phones, addresses, tags)),
    )
    return contact


def _document(
    record: Contact | Company, emails: list | None, phones: list | None
) -> Document | None:
    """The record's search document from the e-mails and phones this write has just
    written, without reading them back; None (read them) when the write left them as
    they were."""
    if emails is None or phones is None:
        return None
    addresses = [address for address, _kind in emails]
    digits = [p.search_digits for p, _ in phones]
    if isinstance(record, Contact):
        return contact_document_from(record, addresses, digits)
    return company_document_from(record, addresses, digits)


@transaction.atomic
def create_contact(
    *, actor: User | None, data: dict, custom_definitions: list[CustomField] | None = None
) -> Contact:
    """`custom_definitions`: every contact custom field, when the caller (a form) has read
    them already; the custom values are checked against them."""
    permissions.check_add(actor, "contact")
    data = {"owner": actor, **data}
    return _save_contact(
        actor=actor,
        contact=Contact(),
        data=data,
        creating=True,
        custom_definitions=custom_definitions,
    )


@transaction.atomic
def update_contact(
    *,
    actor: User | None,
    contact: Contact,
    data: dict,
    expected_version: int | None,
    custom_definitions: list[CustomField] | None = None,
) -> Contact:
    """Change the given fields only; refused when someone saved since `expected_version`."""
    permissions.check(actor, contact, "edit")
    claim_version(contact, expected_version)
    return _save_contact(
        actor=actor,
        contact=contact,
        data=data,
        creating=False,
        custom_definitions=custom_definitions,
    )


@dataclass
class NewContact:
    """A contact checked and ready to be written with many others (`create_contacts`)."""

    contact: Contact
    emails: list[tuple[str, str]]
    phones: list
    addresses: list[dict]
    tags: list[Tag]


def prepare_contact(
    *, actor: User | None, data: dict, tags: dict[str, Tag] | None = None
) -> NewContact:
    """Check a new contact's data exactly as `create_contact` does, without writing the
    contact. `data` names its company by object (`company`), not by name."""
    if "company_name" in data:
        raise ValueError("prepare_contact takes a company object, not a company name")
    data = {"owner": actor, **data}
    contact = Contact()
    _apply_names(contact, data)
    _clean_language(data)
    for key in CONTACT_FIELDS:
        if key in data and key not in {"given_name", "family_name", "full_name"}:
            setattr(contact, key, data[key])
    if contact.lifecycle_stage_id is None:
        contact.lifecycle_stage = default_stage()
    if data.get("marketing_consent"):
        contact.marketing_consent_at = timezone.now()
    emails = contact_points.clean_emails(data.get("emails", []))
    phones = contact_points.clean_phones(data.get("phones", []))
    if "custom" in data:
        contact.custom = custom_fields.clean("contact", data["custom"] or {})
    contact.email = emails[0][0] if emails else ""
    contact.phone = phones[0][0].e164 if phones else ""
    return NewContact(
        contact=contact,
        emails=emails,
        phones=phones,
        addresses=contact_points.clean_addresses(data.get("addresses", [])),
        tags=contact_points.tags_named(data["tags"], tags) if "tags" in data else [],
    )


@transaction.atomic
def create_contacts(*, actor: User | None, prepared: list[NewContact]) -> list[Contact]:
    """Write many checked contacts in a few statements per table, with everything
    `create_contact` writes beside each: e-mails, phones, addresses, tags, employment,
    the stage change, the search entry and the audit entry."""
    permissions.check_add(actor, "contact")
    if not prepared:
        return []
    contacts = bulk.insert(Contact, [item.contact for item in prepared])
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    emails, phones, addresses, links, jobs, stages, entries, at_hand = ([] for _i in range(8))
    through = Contact.tags.through
    for item, contact in zip(prepared, contacts, strict=True):
        emails += contact_points.email_rows(contact, item.emails)
        phones += contact_points.phone_rows(contact, item.phones)
        addresses += contact_points.address_rows(contact, item.addresses)
        links += [{"contact_id": contact.pk, "tag_id": tag.pk} for tag in item.tags]
        if contact.company_id:
            jobs.append(
                {
                    "contact_id": contact.pk,
                    "company_id": contact.company_id,
                    "position": contact.position,
                    "started_at": now,
                }
            )
        stages.append(
            {
                "contact_id": contact.pk,
                "from_stage_id": None,
                "to_stage_id": contact.lifecycle_stage_id,
                "changed_at": now,
                "changed_by_id": actor_id,
            }
        )
        document = contact_document_from(
            contact,
            [address for address, _kind in item.emails],
            [phone.search_digits for phone, _kind in item.phones],
        )
        entries.append((contact.pk, document))
        # The snapshot from what is at hand: no query for each contact's points.
        at_hand.append(points_written(True, item.emails, item.phones, item.addresses, item.tags))
    bulk.append(EmailAddress, emails)
    bulk.append(PhoneNumber, phones)
    bulk.append(Address, addresses)
    bulk.append(through, links)
    bulk.append(Employment, jobs)
    bulk.append(LifecycleChange, stages)
    audit.log_created(actor=actor, records=contacts, at_hand=at_hand)
    search.new_entries(Contact, entries)  # last: nothing after it can refuse the contacts
    return contacts


def split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return (parts[0] if parts else "", "")
    return parts[0], " ".join(parts[1:])


@transaction.atomic
def quick_add_contact(
    *, actor: User | None, name: str, email: str = "", phone: str = "", company_name: str = ""
) -> Contact:
    """A contact from a name and an e-mail or phone: the two-second path (R7, R23)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Type the person's name.")})
    if not email.strip() and not phone.strip():
        raise ValidationError({"email": _("Add an e-mail or a phone, so you can reach them.")})
    given, family = split_name(name)
    data = {
        "given_name": given,
        "family_name": family,
        "full_name": name,
        "emails": [email] if email.strip() else [],
        "phones": [phone] if phone.strip() else [],
    }
    if company_name.strip():
        data["company_name"] = company_name
    return create_contact(actor=actor, data=data)


# Companies ----------------------------------------------------------------------------
def _save_company(
    *,
    actor: User | None,
    company: Company,
    data: dict,
    action: str = "",
    custom_definitions: list[CustomField] | None = None,
) -> Company:
    creating = company.pk is None
    before = None if creating else audit.snapshot(company)
    for key in COMPANY_FIELDS:
        if key in data:
            value = data[key]
            setattr(company, key, value.strip() if isinstance(value, str) else value)
    _apply_company_name(company)
    if "website" in data:
        company.website = contact_points.clean_website(company.website)
    emails = contact_points.clean_emails(data["emails"]) if "emails" in data else None
    phones = contact_points.clean_phones(data["phones"]) if "phones" in data else None
    if "custom" in data:
        company.custom = custom_fields.clean(
            "company", data["custom"] or {}, fields=custom_definitions
        )
    tags = contact_points.tags_named(data["tags"]) if "tags" in data else None
    contact_points.set_primary(company, emails, phones)
    company.save()
    if emails is not None:
        contact_points.replace_emails(company, emails, new=creating)
    if phones is not None:
        contact_points.replace_phones(company, phones, new=creating)
    addresses = contact_points.clean_addresses(data["addresses"]) if "addresses" in data else None
    if addresses is not None:
        contact_points.replace_addresses(company, addresses, new=creating)
    if tags is not None:
        contact_points.replace_tags(company, tags, new=creating)
    search.index(company, _document(company, emails, phones))
    record_services.fresh(company)
    audit.log(
        actor=actor,
        action=action or ("create" if creating else "update"),
        record=company,
        before=before,
        after=audit.snapshot(company, points_written(creating, emails, phones, addresses, tags)),
    )
    return company


@transaction.atomic
def create_company(
    *, actor: User | None, data: dict, custom_definitions: list[CustomField] | None = None
) -> Company:
    """`custom_definitions`: as `create_contact`'s, for company custom fields."""
    permissions.check_add(actor, "company")
    return _save_company(
        actor=actor,
        company=Company(),
        data={"owner": actor, **data},
        custom_definitions=custom_definitions,
    )


@transaction.atomic
def update_company(
    *,
    actor: User | None,
    company: Company,
    data: dict,
    expected_version: int | None,
    custom_definitions: list[CustomField] | None = None,
) -> Company:
    permissions.check(actor, company, "edit")
    claim_version(company, expected_version)
    return _save_company(
        actor=actor, company=company, data=data, custom_definitions=custom_definitions
    )


def new_company_named(name: str) -> Company:
    """A company that has only a name, as a contact's company column or field gives it:
    checked and not written yet (`create_companies` writes many at once)."""
    company = Company(name=name)
    _apply_company_name(company)
    return company


def _apply_company_name(company: Company) -> None:
    company.name = " ".join(company.name.split())
    if not company.name:
        raise ValidationError({"name": _("A company needs a name.")})
    company.name_key = fold(company.name)[:200]


@transaction.atomic
def create_companies(*, actor: User | None, companies: list[Company]) -> list[Company]:
    """Write many new companies from `new_company_named` in a few statements, each with
    the search entry and audit entry `create_company` writes; owned by `actor`."""
    permissions.check_add(actor, "company")
    for company in companies:
        company.owner = actor if getattr(actor, "pk", None) else None
    bulk.insert(Company, companies)
    search.new_entries(
        Company, [(company.pk, company_document_from(company, [], [])) for company in companies]
    )
    empty = history_points(emails=[], phones=[], addresses=[], tags=[])
    audit.log_created(actor=actor, records=companies, at_hand=[empty] * len(companies))
    return companies


def company_named(*, actor: User | None, name: str, current: Company | None = None) -> Company:
    """The company with this name (any case, accents) that `actor` may see, or a new one of
    theirs: a name is looked up through the same visibility as an id. A company of that
    name they may not see is left alone, as if it did not exist: linking to it would put
    their contact on another team's company page, and refusing would tell them that a
    customer of that name exists elsewhere (and stop them from recording their own).
    `current`, the company the record has now, stays when the name still names it, even
    one the actor may not see: saving a form unchanged moves nothing."""
    key = fold(name)[:200]
    if current is not None and current.name_key == key:
        return current
    companies = Company.objects.live()
    if actor is not None:  # the system itself (demo data, jobs) sees every company
        companies = companies.visible_to(actor, "view")
    existing = companies.filter(name_key=key).first()
    return existing or create_company(actor=actor, data={"name": name})


# Bulk changes and going back to a snapshot ---------------------------------------------
@transaction.atomic
def add_tags(*, actor: User | None, records: list[Contact | Company], names: list[str]) -> int:
    tags = contact_points.tags_named(names)
    return record_services.change_each(
        actor=actor, records=records, change=lambda record: record.tags.add(*tags)
    )


@transaction.atomic
def change_stage(*, actor: User | None, contacts: list[Contact], stage: LifecycleStage) -> int:
    for contact in contacts:
        permissions.check(actor, contact, "edit")
        if contact.lifecycle_stage_id != stage.pk:
            _save_contact(
                actor=actor, contact=contact, data={"lifecycle_stage": stage}, creating=False
            )
    return len(contacts)


def return_to_state(
    *, actor: User | None, record: Contact | Company, state: dict, action: str
) -> Contact | Company:
    """Bring a contact or company back to a snapshot of it (`audit.snapshot`), audited as
    `action`: restoring a version, undoing an import."""
    from clientela.customers.history import data_from_snapshot

    permissions.check(actor, record, "edit")
    data = data_from_snapshot(type(record), state)
    claim_version(record, None)
    if isinstance(record, Contact):
        return _save_contact(actor=actor, contact=record, data=data, creating=False, action=action)
    return _save_company(actor=actor, company=record, data=data, action=action)
