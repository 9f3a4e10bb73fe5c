"""Corrections from data health: a number an import could not check, corrected by someone
who knows the country it is from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core.phones import Phone
from clientela.core.phones import normalize as normalize_phone
from clientela.customers import contact_points
from clientela.customers.models import Company, Contact, PhoneNumber
from clientela.customers.services import update_company, update_contact

if TYPE_CHECKING:
    from clientela.users.models import User


@transaction.atomic
def correct_phone(
    *,
    actor: User | None,
    phone: PhoneNumber,
    number: str,
    country: str,
    expected_version: int | None,
) -> Contact | Company:
    """An unverified number corrected (data health): `number` as typed, or the one kept
    when left blank, read in `country`, must be a number in use there; it takes the kept
    one's place in E.164, verified, the record's other numbers untouched, audited as an
    edit of the record. ValidationError keyed "number" or "country" writes nothing."""
    region = (country or "").strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError({"country": _("Choose the country the number is from.")})
    try:
        checked = normalize_phone((number or "").strip() or phone.raw, region, valid=True)
    except ValidationError as error:
        raise ValidationError({"number": error.messages}) from None
    record: Contact | Company = phone.contact if phone.contact_id else phone.company  # type: ignore[assignment]
    # Every other number goes back as it is stored ("kept"), not checked again: one an
    # import could not check stays listed until it too is corrected.
    phones = [
        {
            "number": kept.raw,
            "kind": kept.kind,
            "kept": checked
            if kept.pk == phone.pk
            else Phone(kept.raw, kept.e164, kept.digits, verified=kept.verified),
        }
        for kept in PhoneNumber.objects.filter(**contact_points.owner_of(record))
    ]
    data = {"phones": phones}
    if isinstance(record, Contact):
        return update_contact(
            actor=actor, contact=record, data=data, expected_version=expected_version
        )
    return update_company(actor=actor, company=record, data=data, expected_version=expected_version)
