"""One file row of products, orders, activities or tasks turned into plain values, read the
same way as a contact's row (normalised text, bounded lengths, owners with no account as
warnings). The records a row names (a product by SKU, a customer by e-mail, ID in the old
system or company name) are looked up by the batch, for all its rows together."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities.models import Activity, ActivityKind, CallDirection, Priority, Task
from clientela.core.text import fold
from clientela.dataio.importing import mapping
from clientela.dataio.importing.deal_rows import CURRENCY, _date
from clientela.dataio.importing.rows import (
    Converted,
    RowRejected,
    _most,
    _owner,
    _yes_no,
    read_custom,
    row_values,
    too_long,
)
from clientela.orders.models import PriceList, Product

if TYPE_CHECKING:
    from clientela.dataio.importing.rows import Lookups

# What a row may name its records by: (target, kind of record, how).
LINKS = (
    ("deal_ref", "deal", "key"),
    ("contact_ref", "contact", "key"),
    ("contact_email", "contact", "email"),
    ("company_ref", "company", "key"),
    ("company", "company", "name"),
)
BOUNDS = {
    "sku": (Product, "sku"),
    "product_name": (Product, "name"),
    "unit": (Product, "unit"),
    "price_list": (PriceList, "name"),
    "subject": (Activity, "subject"),
    "outcome": (Activity, "outcome"),
    "place": (Activity, "place"),
    "title": (Task, "title"),
}
KINDS = {
    "note": ActivityKind.NOTE,
    "notes": ActivityKind.NOTE,
    "nota": ActivityKind.NOTE,
    "call": ActivityKind.CALL,
    "calls": ActivityKind.CALL,
    "phone call": ActivityKind.CALL,
    "apel": ActivityKind.CALL,
    "llamada": ActivityKind.CALL,
    "meeting": ActivityKind.MEETING,
    "meetings": ActivityKind.MEETING,
    "event": ActivityKind.MEETING,
    "intalnire": ActivityKind.MEETING,
    "reunion": ActivityKind.MEETING,
    "email": ActivityKind.EMAIL,
    "e mail": ActivityKind.EMAIL,
    "emails": ActivityKind.EMAIL,
    "correo": ActivityKind.EMAIL,
}
DIRECTIONS = {
    "outbound": CallDirection.OUTBOUND,
    "outgoing": CallDirection.OUTBOUND,
    "out": CallDirection.OUTBOUND,
    "iesit": CallDirection.OUTBOUND,
    "saliente": CallDirection.OUTBOUND,
    "inbound": CallDirection.INBOUND,
    "incoming": CallDirection.INBOUND,
    "in": CallDirection.INBOUND,
    "intrat": CallDirection.INBOUND,
    "entrante": CallDirection.INBOUND,
}
PRIORITIES = {
    "low": Priority.LOW,
    "scazuta": Priority.LOW,
    "baja": Priority.LOW,
    "normal": Priority.NORMAL,
    "medium": Priority.NORMAL,
    "normala": Priority.NORMAL,
    "media": Priority.NORMAL,
    "high": Priority.HIGH,
    "ridicata": Priority.HIGH,
    "alta": Priority.HIGH,
    "urgent": Priority.URGENT,
    "urgente": Priority.URGENT,
}
CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
MINUTES = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:m|min|mins|minutes|minute|minute\w*)$")
SECONDS = re.compile(r"^(\d+)\s*(?:s|sec|secs|seconds|secunde|segundos)?$")
TIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
TIME_FORMATS += ("%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")


def when(text: str) -> datetime.datetime | None:
    """A date and time as other systems write them (a date alone is its midnight), in the
    installation's time zone unless it names its own offset."""
    moment = _moment_of(text.strip())
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _moment_of(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    day = _date(text) if len(text) <= 10 else None
    return None if day is None else datetime.datetime.combine(day, datetime.time())


def duration(text: str) -> int | None:
    """Seconds from "1:02:03", "12:30", "15 min" or "95" (seconds)."""
    text = fold(text).strip()
    if match := CLOCK.match(text):
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    if match := MINUTES.match(text):
        return round(float(match.group(1).replace(",", ".")) * 60)
    if match := SECONDS.match(text):
        return int(match.group(1))
    return None


def decimal(text: str) -> Decimal | None:
    """A number written with a decimal point or comma and perhaps thousands separators."""
    cleaned = re.sub(r"[^\d,.\-]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(".", "").replace(",", ".")
            if cleaned.rfind(",") > cleaned.rfind(".")
            else cleaned.replace(",", "")
        )
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned) if cleaned else None
    except InvalidOperation:
        return None


def _header(run, headers: list[str], key: str, label: str) -> str:
    return headers[run.mapping.index(key)] if key in run.mapping else label


def convert_other(run, headers: list[str], cells: list[str], lookups: Lookups) -> Converted:
    """The row's values by target, checked; RowRejected with (column, reason) pairs."""
    values = row_values(run, headers, cells)
    problems: list[tuple[str, str]] = []
    out = Converted()
    data = out.data
    out.shown = {key: ", ".join(text for _column, text in items) for key, items in values.items()}

    def first(key: str) -> tuple[str, str]:
        return values.get(key, [("", "")])[0]

    for key, (model, name) in BOUNDS.items():
        column, text = first(key)
        if len(text) > _most(model, name):
            problems.append((column, too_long(text, _most(model, name))))
    column, out.external_id = first("external_id")
    if len(out.external_id) > 255:
        problems.append((column, too_long(out.external_id, 255)))
    for key, _kind, _how in LINKS:
        column, text = first(key)
        if text:
            out.links[key] = (column, text.lower() if key == "contact_email" else text)
    reader = {
        "product": _product,
        "order": _order,
        "activity": _activity,
        "task": _task,
    }[run.record_type]
    reader(run, headers, first, values, data, problems, out, lookups)
    if run.record_type not in mapping.NO_CUSTOM:
        read_custom(run, values, lookups, data, problems)
    if problems:
        raise RowRejected(problems)
    return out


def _required(run, headers, first, key: str, label: str, message: str, problems) -> str:
    _column, text = first(key)
    if not text:
        problems.append((_header(run, headers, key, label), message))
    return text


def _number(first, key: str, data: dict, problems, message: str) -> None:
    column, text = first(key)
    if text:
        number = decimal(text)
        if number is None or number < 0:
            problems.append((column, message % {"value": text}))
        else:
            data[key] = number


def _moment(first, key: str, data: dict, problems) -> None:
    column, text = first(key)
    if text:
        moment = when(text)
        if moment is None:
            problems.append(
                (column, _("Write the date as YYYY-MM-DD or DD.MM.YYYY, with the time if any."))
            )
        else:
            data[key] = moment


def _currency(first, data: dict, problems) -> None:
    column, text = first("currency")
    if text:
        if CURRENCY.match(text):
            data["currency"] = text.upper()
        else:
            problems.append((column, _("Use a three-letter currency, like RON or EUR.")))


def _product(run, headers, first, values, data, problems, out, lookups) -> None:
    data["sku"] = _required(
        run, headers, first, "sku", _("SKU"), _("A product needs its SKU (code)."), problems
    )
    data["name"] = first("product_name")[1]
    if not data["name"] and data["sku"]:
        data["name"] = data["sku"]
    if text := first("unit")[1]:
        data["unit"] = text
    _number(first, "tax_rate", data, problems, _("“%(value)s” is not a tax rate."))
    if data.get("tax_rate", 0) > 100:
        problems.append((first("tax_rate")[0], _("A tax rate is at most 100%.")))
    column, text = first("active")
    if text:
        active = _yes_no(text)
        if active is None:
            problems.append((column, _("Write yes or no.")))
        else:
            data["active"] = active
    _number(first, "price", data, problems, _("“%(value)s” is not a price."))
    _currency(first, data, problems)
    if text := first("price_list")[1]:
        data["price_list"] = text
    out.external_id = out.external_id or data["sku"]


def _order(run, headers, first, values, data, problems, out, lookups) -> None:
    data["order_number"] = _required(
        run,
        headers,
        first,
        "order_number",
        _("Order number"),
        _("An order's row needs its order number."),
        problems,
    )
    column, data["product"] = first("sku")
    if not data["product"]:
        data["product"] = first("product_name")[1]
    if not data["product"]:
        problems.append(
            (
                _header(run, headers, "sku", _("SKU")),
                _("An order's line needs its product's SKU or name."),
            )
        )
    column, text = first("quantity")
    data["quantity"] = 1
    if text:
        number = decimal(text)
        if number is None or number <= 0 or number != number.to_integral_value():
            problems.append((column, _("The quantity must be a whole number above zero.")))
        else:
            data["quantity"] = int(number)
    _number(first, "unit_price", data, problems, _("“%(value)s” is not a price."))
    _moment(first, "placed_at", data, problems)
    _currency(first, data, problems)
    data["notes"] = " / ".join(text for _column, text in values.get("note", []))
    if not out.links or set(out.links) == {"deal_ref"}:
        problems.append(
            (
                _header(run, headers, "contact_email", _("Customer")),
                _("An order needs its customer: an e-mail, a company or an ID in the old system."),
            )
        )
    out.external_id = data["order_number"]


def _activity(run, headers, first, values, data, problems, out, lookups) -> None:
    column, text = first("kind")
    data["kind"] = ActivityKind.NOTE
    if text:
        kind = KINDS.get(fold(text).replace("-", " ").strip())
        if kind is None:
            problems.append(
                (column, _("“%(value)s” is not a note, call, meeting or e-mail.") % {"value": text})
            )
        else:
            data["kind"] = kind
    data["subject"] = first("subject")[1]
    data["body"] = "\n\n".join(text for _column, text in values.get("body", []))
    if data["kind"] == ActivityKind.NOTE and not data["body"]:
        if data["subject"]:
            data["body"], data["subject"] = data["subject"], ""
        else:
            problems.append((_header(run, headers, "body", _("Text")), _("A note needs its text.")))
    _moment(first, "occurred_at", data, problems)
    column, text = first("duration")
    if text:
        seconds = duration(text)
        if seconds is None:
            problems.append((column, _("Write the duration as 1:05:00, 12:30, 15 min or seconds.")))
        else:
            data["duration_seconds"] = seconds
    column, text = first("direction")
    if text:
        direction = DIRECTIONS.get(fold(text))
        if direction is None:
            problems.append((column, _("Write incoming or outgoing.")))
        else:
            data["direction"] = direction
    for key in ("outcome", "place"):
        if text := first(key)[1]:
            data[key] = text
    if not out.links:
        problems.append(
            (
                _header(run, headers, "contact_email", _("Record")),
                _(
                    "Name the record it goes on: a contact's e-mail, a company, or an ID in "
                    "the old system."
                ),
            )
        )


def _task(run, headers, first, values, data, problems, out, lookups) -> None:
    data["title"] = _required(
        run, headers, first, "title", _("Title"), _("A task needs its title."), problems
    )
    _moment(first, "due_at", data, problems)
    column, text = first("priority")
    if text:
        priority = PRIORITIES.get(fold(text))
        if priority is None:
            problems.append((column, _("Write low, normal, high or urgent.")))
        else:
            data["priority"] = priority
    data["notes"] = "\n\n".join(text for _column, text in values.get("note", []))
    column, text = first("done")
    if text:
        done = _yes_no(text)
        if done is None:
            done = fold(text) in {"completed", "complete", "done", "finalizat", "completada"}
        data["done"] = done
    if "owner" in values:
        column, text = first("owner")
        _owner(column, text, lookups, out)
