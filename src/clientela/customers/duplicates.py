"""Catching duplicates while typing: same e-mail, same phone in any format, or a similar
name in the same company (rapidfuzz)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from clientela.core.phones import normalize as normalize_phone
from clientela.core.text import fold
from clientela.customers.models import Contact, EmailAddress, PhoneNumber

SIMILAR_NAME = 88  # rapidfuzz token_sort_ratio from which two names look like one person
MAX_NAME_CANDIDATES = 2000


@dataclass(frozen=True)
class Suspect:
    contact: Contact
    reason: str


def contact_suspects(
    contacts,
    *,
    email: str = "",
    phones: list[str] | tuple[str, ...] = (),
    name: str = "",
    company_id: int | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Suspect]:
    """Contacts (from the `contacts` queryset the user may see) that may be the same person."""
    found: dict[int, Suspect] = {}
    live = contacts.live()
    if exclude_id:
        live = live.exclude(pk=exclude_id)

    email = email.strip().lower()
    if email:
        ids = EmailAddress.objects.filter(address=email, contact__isnull=False).values("contact_id")
        for contact in live.filter(pk__in=ids)[:limit]:
            found.setdefault(contact.pk, Suspect(contact, str(_("same e-mail"))))

    numbers = []
    for raw in phones:
        try:
            numbers.append(normalize_phone(raw).e164)
        except ValidationError:
            continue
    if numbers:
        by_phone = PhoneNumber.objects.filter(e164__in=numbers, contact__isnull=False).values(
            "contact_id"
        )
        for contact in live.filter(pk__in=by_phone)[:limit]:
            found.setdefault(contact.pk, Suspect(contact, str(_("same phone"))))

    key = fold(name)
    if key and company_id:
        candidates = live.filter(company_id=company_id).values_list("pk", "name_key")
        similar = [
            pk
            for pk, name_key in candidates[:MAX_NAME_CANDIDATES]
            if fuzz.token_sort_ratio(key, name_key) >= SIMILAR_NAME
        ][:limit]
        for contact in live.filter(pk__in=similar):
            found.setdefault(contact.pk, Suspect(contact, str(_("similar name, same company"))))
    return list(found.values())[:limit]
