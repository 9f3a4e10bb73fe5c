"""Writes of the base currency and the exchange rates: only roles that manage settings
(or the system's own rate job, actor None), each atomic and in the audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.core.currencies import selectors
from clientela.core.models import ExchangeRate, InstallationSetting

if TYPE_CHECKING:
    from clientela.core.actors import Actor

# Eight places after the point, as the rate column keeps them; at most twelve before.
RATE_PLACES = Decimal("0.00000001")
MAX_RATE = Decimal("999999999999")


def _may_manage(actor: Actor | None) -> None:
    if actor is not None and not permissions.can(actor, "manage_settings"):
        raise PermissionDenied(_("Only a role that manages settings may change currencies."))


def clean_currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if code not in selectors.currency_codes():
        raise ValidationError({field: _("“%(code)s” is not a currency code.") % {"code": value}})
    return code


def clean_rate(value: Decimal | str) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"rate": _("“%(v)s” is not a rate.") % {"v": value}}) from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationError({"rate": _("A rate is above zero.")})
    if rate > MAX_RATE:
        raise ValidationError({"rate": _("This rate is too large.")})
    rate = rate.quantize(RATE_PLACES)
    if rate <= 0:
        raise ValidationError({"rate": _("This rate is too small: eight decimal places at most.")})
    return rate


@transaction.atomic
def set_base_currency(*, actor: Actor | None, currency: str) -> InstallationSetting:
    """Choose the base currency. Rates entered against the former base stay stored but
    are not used for the new one: rates to the new base are entered afresh."""
    _may_manage(actor)
    code = clean_currency(currency)
    before = selectors.base_currency()
    setting, _created = InstallationSetting.objects.update_or_create(
        key=selectors.BASE_CURRENCY_KEY, defaults={"value": code}
    )
    audit.log(
        actor=actor,
        action="update",
        record=setting,
        before={"base_currency": before},
        after={"base_currency": code},
    )
    return setting


def rate_snapshot(rate: ExchangeRate) -> dict:
    """The rate as the audit trail keeps it (day and rate as text)."""
    return audit.plain_state(
        {
            "base": rate.base,
            "currency": rate.currency,
            "day": rate.day,
            "rate": rate.rate,
            "source": rate.source,
        }
    )


@transaction.atomic
def save_rate(
    *,
    actor: Actor | None,
    currency: str,
    day: datetime.date,
    rate: Decimal | str,
    source: str = "manual",
) -> ExchangeRate:
    """The rate of a currency to the base currency on a day; a second one for the same
    day replaces the first."""
    _may_manage(actor)
    base = selectors.base_currency()
    code = clean_currency(currency)
    if code == base:
        raise ValidationError(
            {"currency": _("%(code)s is the base currency: it needs no rate.") % {"code": code}}
        )
    value = clean_rate(rate)
    existing = (
        ExchangeRate.objects.select_for_update().filter(base=base, currency=code, day=day).first()
    )
    if existing is None:
        created = ExchangeRate.objects.create(
            base=base, currency=code, day=day, rate=value, source=source[:20]
        )
        audit.log(actor=actor, action="create", record=created, after=rate_snapshot(created))
        return created
    before = rate_snapshot(existing)
    existing.rate, existing.source = value, source[:20]
    existing.save(update_fields=["rate", "source"])
    audit.log(
        actor=actor, action="update", record=existing, before=before, after=rate_snapshot(existing)
    )
    return existing


@transaction.atomic
def delete_rate(*, actor: Actor | None, rate: ExchangeRate) -> None:
    """Remove a rate entered by mistake; the audit trail keeps it, to enter again."""
    _may_manage(actor)
    audit.log(actor=actor, action="delete", record=rate, before=rate_snapshot(rate))
    rate.delete()


def import_rates(
    *, actor: Actor | None, day: datetime.date, rates: dict[str, Decimal], source: str
) -> list[ExchangeRate]:
    """Save a day's rates from a source (each as `save_rate`, all or none); currencies
    Babel does not know are left out."""
    with transaction.atomic():
        return [
            save_rate(actor=actor, currency=code, day=day, rate=rate, source=source)
            for code, rate in sorted(rates.items())
            if code in selectors.currency_codes()
        ]
