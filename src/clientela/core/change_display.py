"""How an audit entry reads to people: each field by its label, each value as the pages
show it ("Lead", not `lead`; a person's name, not their e-mail; a list as text; a date in
the reader's format), the action in words. The model tells labels and choices; the apps
declare the rest (a stage kept by its key, a call's outcome) with `declare`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

# Above this many characters a value is folded, its start shown (templates: core/_change_value).
LONG = 160

# Labels of what snapshots keep beside the model's own fields, or where the model's
# label says less than the page's.
LABELS: dict[str, StrOrPromise] = {
    "in_trash": gettext_lazy("In the trash"),
    "full_name": gettext_lazy("Name"),
    "marketing_consent": gettext_lazy("Agrees to marketing"),
    "emails": gettext_lazy("E-mails"),
    "phones": gettext_lazy("Phones"),
    "addresses": gettext_lazy("Addresses"),
    "tags": gettext_lazy("Tags"),
    "custom": gettext_lazy("Custom fields"),
    "tax_id": gettext_lazy("Tax id"),
    "legal_name": gettext_lazy("Legal name"),
}

ACTIONS: dict[str, StrOrPromise] = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Changed"),
    "delete": gettext_lazy("Deleted"),
    "trash": gettext_lazy("Moved to the trash"),
    "restore": gettext_lazy("Restored"),
    "purge": gettext_lazy("Purged"),
    "merge": gettext_lazy("Merged"),
}

# (record type, field) → how its stored value reads; declared by the app that knows.
SHOWN_AS: dict[tuple[str, str], Callable[..., Any]] = {}
BATCHED: dict[tuple[str, str], Callable[[list[Any]], Any]] = {}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
EMPTY: tuple[object, ...] = (None, "", [], {})
PARTS = ("street", "city", "region", "postal_code", "country")


def declare(
    record_type: str,
    field: str,
    show: Callable[..., Any],
    *,
    batch: Callable[[list[Any]], Any] | None = None,
) -> None:
    """How a field of a record type reads: `show(stored value)` (not given empty ones).
    With `batch`, what the values need is read once for a page — `batch(values)` gets
    every non-empty value of that field on the page (an order's lines: the products of
    all of them) — and each reads as `show(value, batch(values))`."""
    SHOWN_AS[(record_type, field)] = show
    if batch is not None:
        BATCHED[(record_type, field)] = batch


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action.replace("_", " ").capitalize()))


def readable(model: type[models.Model] | None, changes: dict, memo: dict | None = None) -> list:
    """An entry's changes (field → [before, after]) as a list of `Change`, in the entry's
    order. `memo` keeps what was looked up (people by e-mail) across a page's entries."""
    memo = {} if memo is None else memo
    record_type = (model._meta.model_name or "") if model is not None else ""
    shown = []
    for name, (before, after) in changes.items():
        field = _field(model, name)
        shown.append(
            Change(
                label=_label(field, name),
                before=_value(record_type, field, name, before, memo),
                after=_value(record_type, field, name, after, memo),
            )
        )
    return shown


def prime(entries: list[tuple[type[models.Model] | None, dict]], memo: dict) -> None:
    """Read the names of every record a page's entries keep by id (an order's customer)
    with one query per record type, into the `memo` given to `readable` after."""
    wanted: dict[type[models.Model], set[int]] = {}
    batched: dict[tuple[str, str], list[Any]] = {}
    for model, changes in entries:
        record_type = (model._meta.model_name or "") if model is not None else ""
        for name, pair in changes.items():
            if (record_type, name) in BATCHED:
                values = batched.setdefault((record_type, name), [])
                values.extend(value for value in pair if value not in EMPTY)
                continue
            field = _field(model, name)
            if field is None or not field.is_relation or _is_person(field):
                continue
            related = field.related_model
            if related is None or isinstance(related, str):
                continue
            ids = [v for value in pair for v in (value if isinstance(value, list) else [value])]
            wanted.setdefault(related, set()).update(v for v in ids if type(v) is int)
    for key, values in batched.items():
        memo[("batch", *key)] = BATCHED[key](values)
    for related, pks in wanted.items():
        found = related._base_manager.in_bulk(pks)
        for pk in pks:
            memo[(related._meta.label, pk)] = str(found[pk]) if pk in found else f"#{pk}"


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _label(field: models.Field | None, name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    if field is not None:
        return str(capfirst(field.verbose_name))
    return name.replace("_", " ").capitalize()


def _value(record_type: str, field: models.Field | None, name: str, value: Any, memo: dict) -> str:
    if value in EMPTY:
        return "—"
    show = SHOWN_AS.get((record_type, name))
    if show is not None:
        key = (record_type, name, str(value))
        if key not in memo:
            batch = BATCHED.get((record_type, name))
            if batch is None:
                memo[key] = show(value)
            else:  # read for the page by prime(), or for this value alone
                found = memo.get(("batch", record_type, name))
                memo[key] = show(value, found if found is not None else batch([value]))
        value = memo[key]
    elif field is not None and field.choices and isinstance(value, str | int):
        value = dict(field.flatchoices).get(value, value)
    elif field is not None and field.is_relation and _is_person(field) and isinstance(value, str):
        value = _person(value, memo)
    elif field is not None and field.is_relation and type(value) is int:
        value = _related(field, value, memo)
    elif field is not None and field.many_to_many and isinstance(value, list):
        value = [_related(field, pk, memo) for pk in value if type(pk) is int]
    return text(value, keyed=name == "custom")


def _related(field: models.Field, pk: int, memo: dict) -> str:
    """A record kept in a snapshot by its id (an order's customer), by its name; a record
    since purged by its number."""
    model = field.related_model
    assert model is not None and not isinstance(model, str)
    key = (model._meta.label, pk)
    if key not in memo:
        record = model._base_manager.filter(pk=pk).first()
        memo[key] = str(record) if record is not None else f"#{pk}"
    return str(memo[key])


def _is_person(field: models.Field) -> bool:
    related = field.related_model
    return related is not None and related._meta.label == settings.AUTH_USER_MODEL


def _person(email: str, memo: dict) -> str:
    """A person kept in a snapshot by e-mail, by the name the pages show."""
    key = ("person", email)
    if key not in memo:
        from django.contrib.auth import get_user_model  # the users app, by Django's setting

        person = get_user_model().objects.filter(email=email).first()
        memo[key] = getattr(person, "display_name", None) or email
    return str(memo[key])


def text(value: Any, *, keyed: bool = False) -> str:
    """A stored value as a sentence: lists joined, a dict's parts (an address) in a line with
    its kind after them, custom fields by name, dates in the reader's format."""
    if value in EMPTY:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        parts = [text(item) for item in value if item not in EMPTY]
        return ("; " if any(isinstance(i, dict) for i in value) else ", ").join(parts) or "—"
    if isinstance(value, dict):
        if keyed:
            return ", ".join(f"{k}: {text(v)}" for k, v in value.items() if v not in EMPTY)
        kinds = [str(v) for k, v in value.items() if k.endswith("kind") and v not in EMPTY]
        # In the order an address is written: PostgreSQL keeps a JSON object's keys sorted.
        keys = sorted(value, key=lambda k: PARTS.index(k) if k in PARTS else len(PARTS))
        parts = [text(value[k]) for k in keys if not k.endswith("kind") and value[k] not in EMPTY]
        return ", ".join(parts) + (f" ({', '.join(kinds)})" if kinds else "")
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)
