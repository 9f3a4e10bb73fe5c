"""The kernel's own resources in the API: users (who records and tasks can be assigned to)
and custom field definitions (what the `custom` object of a record may hold), read-only;
exchange rates to the base currency, written by roles that manage settings.
The apps below the API framework cannot register resources themselves, so they are here."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from ninja import Field, Schema

from clientela.api.registry import Resource, register
from clientela.api.types import Currency, Date, bounded_decimal, text
from clientela.core import custom_fields
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.currencies import services as currency_services
from clientela.core.models import CustomField, ExchangeRate
from clientela.users import selectors
from clientela.users.models import User


class CustomFieldOut(Schema):
    id: int
    record_type: str
    key: str
    label: str
    field_type: str
    choices: list
    required: bool
    sensitive: bool


class CustomFieldFilters(Schema):
    record_type: text(40) | None = Field(None, description="`contact`, `company`, …")


def _filter(user: User, queryset: QuerySet[CustomField], params: dict, raw: Any) -> QuerySet:
    if params.get("record_type"):
        queryset = queryset.filter(record_type=params["record_type"])
    return queryset


register(
    Resource(
        name="custom-fields",
        label="custom-field",
        model=CustomField,
        out=CustomFieldOut,
        queryset=custom_fields.visible_definitions,
        serialize=lambda field, user: (
            {
                name: getattr(field, name)
                for name in ("id", "record_type", "key", "label", "field_type", "choices")
            }
            | {"required": field.required, "sensitive": field.sensitive}
        ),
        sorts={"position": ["record_type", "position", "id"]},
        default_sort="position",
        filters=CustomFieldFilters,
        apply_filters=_filter,
    )
)


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    team: str | None
    role: str | None


register(
    Resource(
        name="users",
        label="user",
        model=User,
        out=UserOut,
        queryset=selectors.assignable,
        serialize=lambda person, user: {
            "id": person.pk,
            "email": person.email,
            "full_name": person.display_name,
            "team": person.team.name if person.team_id else None,
            "role": person.role.key if person.role_id else None,
        },
        sorts={"email": ["email", "id"]},
        default_sort="email",
    )
)


class ExchangeRateOut(Schema):
    id: int
    base: str = Field(description="The base currency the rate is to.")
    currency: str
    day: datetime.date
    rate: str = Field(description="Base currency units per one unit of `currency`, as text.")
    source: str


# The ISO 4217 codes a rate may be given for, upper case, listed in the schema.
RateCurrency = Literal[tuple(sorted(currency_selectors.currency_codes()))]


class ExchangeRateIn(Schema):
    currency: RateCurrency = Field(description="An ISO 4217 code other than the base currency.")
    day: Date
    rate: bounded_decimal(gt=Decimal(0), le=Decimal("999999999999"), max_digits=20, places=8)


class ExchangeRateFilters(Schema):
    currency: Currency | None = None
    day: Date | None = None


register(
    Resource(
        name="exchange-rates",
        label="exchange rate",
        model=ExchangeRate,
        out=ExchangeRateOut,
        # Rates to the base currency as it is now: every user reads them.
        queryset=lambda user: currency_selectors.rates_for(currency_selectors.base_currency()),
        serialize=lambda rate, user: {
            "id": rate.pk,
            "base": rate.base,
            "currency": rate.currency,
            "day": rate.day,
            "rate": format(rate.rate.normalize(), "f"),
            "source": rate.source,
        },
        sorts={"day": ["day", "currency", "id"]},
        default_sort="-day",
        filters=ExchangeRateFilters,
        apply_filters=lambda user, queryset, params, raw: queryset.filter(
            **{
                name: (value.upper() if name == "currency" else value)
                for name, value in params.items()
                if name in {"currency", "day"} and value is not None
            }
        ),
        create_in=ExchangeRateIn,
        # A rate for a day that has one replaces it (the same as on the settings page).
        create=lambda user, data: currency_services.save_rate(actor=user, **data),
        description=(
            "Exchange rates to the installation's base currency, by day. Writing needs a "
            "role that manages settings; a second rate for a currency and day replaces the first."
        ),
    )
)
