"""What global search knows of a contact or a company."""

from __future__ import annotations

from clientela.core.phones import display as display_phone
from clientela.core.phones import starting_with
from clientela.core.search import Document
from clientela.customers.models import Company, Contact, EmailAddress, PhoneNumber


def _points(**owner) -> tuple[list[str], list[str]]:
    emails = list(EmailAddress.objects.filter(**owner).values_list("address", flat=True))
    digits = list(PhoneNumber.objects.filter(**owner).values_list("digits", flat=True))
    return emails, digits


def contact_document(contact: Contact) -> Document:
    return contact_document_from(contact, *_points(contact=contact))


def contact_document_from(contact: Contact, emails: list[str], digits: list[str]) -> Document:
    """The document from e-mails and phone digits already at hand, so a bulk loader builds
    many documents without two queries each."""
    company_name = contact.company.name if contact.company is not None else ""
    subtitle = " · ".join(
        part for part in (company_name, contact.email, display_phone(contact.phone)) if part
    )
    return Document(
        title=contact.full_name,
        subtitle=subtitle,
        parts=[company_name, *emails, *digits],
        owner_id=contact.owner_id,
    )


def company_document(company: Company) -> Document:
    return company_document_from(company, *_points(company=company))


def company_document_from(company: Company, emails: list[str], digits: list[str]) -> Document:
    subtitle = " · ".join(part for part in (company.website, company.email) if part)
    return Document(
        title=company.name,
        subtitle=subtitle,
        # No tax id: a search must not tell someone who may not see it that it exists.
        parts=[company.legal_name, company.website, *emails, *digits],
        owner_id=company.owner_id,
    )


def number_owners(owner: str):
    """For a prefix, the ids of the contacts (or companies) with a number starting with
    it, in the numbers' order: a range of the numbers' E.164 index."""

    def owners(prefix: str):
        return (
            PhoneNumber.objects.filter(starting_with("e164", prefix), **{f"{owner}__isnull": False})
            .order_by("e164")
            .values_list(f"{owner}_id", flat=True)
        )

    return owners
