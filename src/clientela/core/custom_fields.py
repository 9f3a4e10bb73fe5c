"""Custom fields: what an administrator adds to a record type, and how values are checked."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.core import permissions
from clientela.core.models import CustomField, FieldType

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from clientela.core.actors import Actor

MAX_TEXT = 1000
CURRENCY_LENGTH = 3


def visible_definitions(user: Actor | None = None) -> QuerySet[CustomField]:
    """Every custom field the user may see (all of them for the system itself)."""
    fields = CustomField.objects.all()
    if user is not None and not permissions.sees_sensitive(user):
        fields = fields.filter(sensitive=False)
    return fields


def definitions(record_type: str, user: Actor | None = None) -> list[CustomField]:
    """The record type's custom fields; with `user`, only those the user may see."""
    return list(visible_definitions(user).filter(record_type=record_type))


def seen_by(user: Actor | None, fields: list[CustomField]) -> list[CustomField]:
    """Of `fields` (already read), those `user` may see: as `definitions(…, user)` gives."""
    return fields if permissions.sees_sensitive(user) else [f for f in fields if not f.sensitive]


def keep_hidden(
    record_type: str,
    user: Actor | None,
    stored: dict,
    edited: dict,
    *,
    visible: list[CustomField] | None = None,
) -> dict:
    """The custom values to save when `user` edited only the fields they can see: the
    sensitive ones they cannot see keep their stored values. `visible`: those fields, when
    the caller has read them already."""
    fields = definitions(record_type, user) if visible is None else visible
    visible_keys = {field.key for field in fields}
    kept = {key: value for key, value in (stored or {}).items() if key not in visible_keys}
    return {**kept, **{key: value for key, value in edited.items() if key in visible_keys}}


def _clean_value(field: CustomField, value: Any) -> Any:
    kind = field.field_type
    if kind == FieldType.TEXT:
        value = str(value).strip()
        if len(value) > MAX_TEXT:
            raise ValidationError(_("At most %(n)d characters.") % {"n": MAX_TEXT})
        return value
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == FieldType.CHOICE:
        if value not in field.choices:
            raise ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(field.choices)}
            )
        return value
    if kind == FieldType.MULTI_CHOICE:
        values = value if isinstance(value, list | tuple) else [value]
        unknown = [item for item in values if item not in field.choices]
        if unknown:
            raise ValidationError(
                _("Not a choice: %(values)s.") % {"values": ", ".join(map(str, unknown))}
            )
        return [item for item in field.choices if item in values]
    if kind == FieldType.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"yes", "true", "1", "da", "sí", "si", "on"}:
            return True
        if text in {"no", "false", "0", "nu", "off"}:
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == FieldType.MONEY:
        if isinstance(value, dict):
            amount, currency = value.get("amount"), value.get("currency", "")
        else:
            amount, _sep, currency = str(value).strip().partition(" ")
        try:
            amount = Decimal(str(amount).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter an amount, like 1250.00 EUR.")) from None
        currency = str(currency).strip().upper()
        if len(currency) != CURRENCY_LENGTH or not currency.isalpha():
            raise ValidationError(_("Add a three-letter currency, like 1250.00 EUR."))
        return {"amount": str(amount.quantize(Decimal("0.01"))), "currency": currency}
    if kind == FieldType.URL:
        value = str(value).strip()
        URLValidator(schemes=["http", "https"])(value)
        return value
    raise ValidationError(_("Unknown field type."))


def clean(record_type: str, values: dict, *, fields: list[CustomField] | None = None) -> dict:
    """Checked and normalised values by key; ValidationError keyed "custom.<key>" otherwise."""
    fields = definitions(record_type) if fields is None else fields
    known = {field.key: field for field in fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key in values:
        if key not in known:
            errors[f"custom.{key}"] = [_("There is no custom field “%(key)s”.") % {"key": key}]
    for key, field in known.items():
        value = values.get(key)
        empty = value is None or value == "" or value == [] or value == {}
        if empty:
            if field.required:
                errors[f"custom.{key}"] = [_("%(label)s is required.") % {"label": field.label}]
            continue
        try:
            cleaned[key] = _clean_value(field, value)
        except ValidationError as error:
            errors[f"custom.{key}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def display(field: CustomField, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.field_type == FieldType.MULTI_CHOICE:
        return ", ".join(value)
    if field.field_type == FieldType.YES_NO:
        return _("Yes") if value else _("No")
    if field.field_type == FieldType.MONEY:
        return f"{value['amount']} {value['currency']}"
    return str(value)


def guess_type(samples: list[str]) -> str:
    """The field type a column's values fit: a number (none written with a leading zero,
    as codes and phone numbers are), a date as YYYY-MM-DD, yes or no, else text."""
    values = [value.strip() for value in samples if value and value.strip()]

    def fits(kind: str, value: str) -> bool:
        if kind == FieldType.NUMBER and value[:1] == "0" and value[1:2] not in {"", ".", ","}:
            return False
        try:
            _clean_value(CustomField(field_type=kind), value)
        except (ValidationError, ValueError):
            return False
        return True

    for kind in (FieldType.NUMBER, FieldType.DATE, FieldType.YES_NO):
        if values and all(fits(kind, value) for value in values):
            return kind
    return FieldType.TEXT


def add_definition(
    *, actor: Actor | None, record_type: str, label: str, field_type: str = FieldType.TEXT
) -> CustomField:
    """A new custom field of a record type named `label` (an import keeping a column of
    its file), its key made from the label and unique among the type's fields. Whoever
    manages settings may add one, whoever imports (for the columns of a file), and the
    system itself."""
    allowed = permissions.can(actor, "manage_settings") or permissions.can(actor, "import")
    if actor is not None and not allowed:
        raise PermissionDenied(_("Your role does not allow adding custom fields."))
    label = " ".join(label.split())[:80] or _("Imported column")
    base = slugify(label)[:34].strip("-") or "field"
    taken = set(CustomField.objects.filter(record_type=record_type).values_list("key", flat=True))
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    last = CustomField.objects.filter(record_type=record_type).order_by("-position").first()
    return CustomField.objects.create(
        record_type=record_type,
        key=key,
        label=label,
        field_type=field_type,
        position=(last.position + 1) if last else 0,
    )
