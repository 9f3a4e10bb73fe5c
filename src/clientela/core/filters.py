"""The one filter language: a small declarative structure a report, a segment or an
automation rule stores, checked and compiled to a Django Q over a record type's fields.

A filter is a group ``{"all": [...]}`` or ``{"any": [...]}`` (a bare list means "all")
whose items are conditions ``{"field": "company.name", "op": "contains", "value": "acme"}``
or further groups. Fields are the model's own (a choice field, a date, an amount), its
tags (``tags``), its custom fields (``custom.<key>``) and the fields of the records it
points to (``company.name``, ``owner.team``), read from the models' declarations, never
from the text given: an unknown field or operator, a value of the wrong type, a field the
user may not see (an amount, a sensitive custom field) is refused with a message saying
which. The result only narrows a queryset the caller got from the record type's selector,
so the role's visibility rule always applies first (`narrow`).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import FloatField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from clientela.core import custom_fields, permissions
from clientela.core.listing import day_start
from clientela.core.models import CustomField, FieldType, Record, model_name

if TYPE_CHECKING:
    from django.http import HttpRequest

    from clientela.core.actors import Actor

MAX_CONDITIONS = 50
MAX_NESTING = 4
MAX_DEPTH = 2  # related records followed: contact.company.owner at most
MAX_VALUES = 100
# Of a person, only what a list shows of them; never a password, a login or a role flag.
PERSON_FIELDS = ("full_name", "email", "team", "is_active")
# Built-in fields nobody filters on: keys kept for sorting, the trash, concurrency.
SKIPPED = {"name_key", "title_key", "version", "deleted_at", "custom", "password", "token"}

TEXT, NUMBER, DATE, DATETIME, CHOICE, BOOLEAN, RELATION, TAGS, MULTI = (
    "text",
    "number",
    "date",
    "datetime",
    "choice",
    "boolean",
    "relation",
    "tags",
    "multi",
)
EMPTY_OPS = ("is_empty", "is_not_empty")
OPS: dict[str, tuple[str, ...]] = {
    TEXT: ("eq", "ne", "contains", "not_contains", "in", *EMPTY_OPS),
    NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "between", *EMPTY_OPS),
    DATE: ("eq", "ne", "gt", "gte", "lt", "lte", "between", *EMPTY_OPS),
    DATETIME: ("eq", "gt", "gte", "lt", "lte", "between", *EMPTY_OPS),
    CHOICE: ("eq", "ne", "in", "not_in", *EMPTY_OPS),
    BOOLEAN: ("eq",),
    RELATION: ("eq", "ne", "in", "not_in", *EMPTY_OPS),
    TAGS: ("has", "has_not", *EMPTY_OPS),
    MULTI: ("has", "has_not", *EMPTY_OPS),
}
ALL_OPS = sorted({op for ops in OPS.values() for op in ops})


class FilterError(ValidationError):
    """A filter that cannot be applied, with a message for the person who wrote it."""


@dataclass(frozen=True)
class Field:
    """One field a filter may name: its path, what kind of value it holds, and how the
    database reaches it (an ORM path, or a custom field's key under `custom`)."""

    path: str  # as written in a filter: "company.name", "custom.size"
    label: str
    kind: str
    lookup: str  # the ORM path: "company__name"; for a custom field, its record's path
    choices: tuple[tuple[str, str], ...] = ()
    custom_key: str = ""
    custom_type: str = ""
    model_field: models.Field | None = None

    @property
    def ops(self) -> tuple[str, ...]:
        return OPS[self.kind]


def _kind(field: models.Field) -> str:
    if field.choices:
        return CHOICE
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        return NUMBER
    if isinstance(field, models.CharField | models.TextField):
        return TEXT
    return ""


def _is_person(model: type[models.Model]) -> bool:
    return model_name(model) == "user"


def _own_fields(model: type[models.Model]) -> list[models.Field]:
    fields = [f for f in model._meta.get_fields() if isinstance(f, models.Field) and f.concrete]
    if _is_person(model):
        return [f for f in fields if f.name in PERSON_FIELDS]
    return [f for f in fields if f.name not in SKIPPED and not f.name.endswith("_key")]


def fields_of(
    model: type[models.Model],
    user: Actor | None,
    *,
    prefix: str = "",
    depth: int = 0,
    custom: dict[str, list[CustomField]] | None = None,
) -> dict[str, Field]:
    """Every field `user` may filter `model` by, by path: built-in ones but those the
    role may not see, tags, custom fields, and those of the records it points to."""
    record_type = model_name(model)
    hidden = permissions.hidden_fields(user, record_type)
    if custom is None:  # every record type's custom fields the user may see: one query
        custom = {}
        for definition in custom_fields.visible_definitions(user):
            custom.setdefault(definition.record_type, []).append(definition)
    found: dict[str, Field] = {}
    path_prefix, lookup_prefix = (
        (prefix + ".", prefix.replace(".", "__") + "__") if prefix else ("", "")
    )
    for field in _own_fields(model):
        if field.name in hidden:
            continue
        path, lookup = path_prefix + field.name, lookup_prefix + field.name
        label = capfirst(str(field.verbose_name))
        if isinstance(field, models.ManyToManyField):
            if field.name == "tags":
                found[path] = Field(path, label, TAGS, lookup)
            continue
        if field.is_relation:
            found[path] = Field(path, label, RELATION, lookup, model_field=field)
            target = field.related_model
            if depth < MAX_DEPTH and isinstance(target, type):
                found.update(fields_of(target, user, prefix=path, depth=depth + 1, custom=custom))
            continue
        kind = _kind(field)
        if kind:
            choices = tuple((str(value), str(text)) for value, text in field.flatchoices)
            found[path] = Field(path, label, kind, lookup, choices, model_field=field)
    if issubclass(model, Record):
        for definition in custom.get(record_type, []):
            path = f"{path_prefix}custom.{definition.key}"
            found[path] = _custom_field(path, lookup_prefix + "custom", definition)
    return found


CUSTOM_KINDS = {
    FieldType.TEXT: TEXT,
    FieldType.URL: TEXT,
    FieldType.NUMBER: NUMBER,
    FieldType.MONEY: NUMBER,
    FieldType.DATE: DATE,
    FieldType.CHOICE: CHOICE,
    FieldType.MULTI_CHOICE: MULTI,
    FieldType.YES_NO: BOOLEAN,
}


def _custom_field(path: str, lookup: str, definition: CustomField) -> Field:
    return Field(
        path,
        definition.label,
        CUSTOM_KINDS[FieldType(definition.field_type)],
        lookup,
        tuple((str(c), str(c)) for c in definition.choices),
        custom_key=definition.key,
        custom_type=definition.field_type,
    )


# Values -------------------------------------------------------------------------------
def _bad(field: Field, message: str) -> FilterError:
    return FilterError(_("%(field)s: %(problem)s") % {"field": field.path, "problem": message})


def _number(field: Field, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _bad(field, _("enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _bad(field, _("enter a number.")) from None
    if not number.is_finite():
        raise _bad(field, _("enter a number."))
    return number


def _date(field: Field, value: Any) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(field, _("enter a date as YYYY-MM-DD.")) from None


def _one(field: Field, value: Any) -> Any:
    """One value checked against the field's type."""
    if value is None or isinstance(value, list | dict):
        raise _bad(field, _("give one value."))
    if field.kind == NUMBER:
        return _number(field, value)
    if field.kind in (DATE, DATETIME):
        return _date(field, value)
    if field.kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"yes", "true", "1", "on"}:
            return True
        if text in {"no", "false", "0", "off"}:
            return False
        raise _bad(field, _("answer yes or no."))
    if field.kind in (CHOICE, MULTI):
        allowed = [code for code, _label in field.choices]
        if str(value) not in allowed:
            raise _bad(field, _("choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
        return str(value)
    if field.kind == RELATION:
        if isinstance(value, bool) or not str(value).strip().isdigit():
            raise _bad(field, _("give the number (id) of a record."))
        return int(str(value).strip())
    text = str(value)
    if len(text) > custom_fields.MAX_TEXT:
        raise _bad(field, _("at most %(n)d characters.") % {"n": custom_fields.MAX_TEXT})
    return text


def _many(field: Field, value: Any, *, exactly: int = 0) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    if not values or len(values) > MAX_VALUES or (exactly and len(values) != exactly):
        if exactly:
            raise _bad(field, _("give %(n)d values.") % {"n": exactly})
        raise _bad(field, _("give between 1 and %(n)d values.") % {"n": MAX_VALUES})
    return [_one(field, item) for item in values]


# Compiling ----------------------------------------------------------------------------
def _target(field: Field) -> Any:
    """What a lookup compares: a custom field's value out of its JSON, as text or as a
    number; else the field's ORM path."""
    if not field.custom_key:
        return None
    if field.custom_type == FieldType.MONEY:
        text = KeyTextTransform("amount", KeyTextTransform(field.custom_key, field.lookup))
    else:
        text = KeyTextTransform(field.custom_key, field.lookup)
    return Cast(text, FloatField()) if field.kind == NUMBER else text


def _compare(field: Field, lookup_name: str, value: Any) -> Q:
    """`field <lookup> value` as a Q, for built-in and custom fields alike."""
    target = _target(field)
    if target is None:
        return Q(**{f"{field.lookup}__{lookup_name}": value})
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, datetime.date):
        value = value.isoformat()  # stored as ISO text: compared as text, in date order
    elif isinstance(value, bool):
        # Stored as JSON true/false: compared on the JSON value itself.
        return Q(**{f"{field.lookup}__{field.custom_key}": value})
    lookups = {
        "exact": Exact,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
        "lt": LessThan,
        "lte": LessThanOrEqual,
        "in": In,
        "icontains": IContains,
    }
    return Q(lookups[lookup_name](target, value))


def _empty(field: Field) -> Q:
    if field.custom_key:
        text = KeyTextTransform(field.custom_key, field.lookup)
        return Q(IsNull(text, True)) | Q(Exact(text, ""))
    blank = Q(**{f"{field.lookup}__isnull": True})
    if field.kind in (TEXT, CHOICE):
        blank |= Q(**{field.lookup: ""})
    return blank


def _condition(model: type[models.Model], fields: dict[str, Field], item: dict) -> Q:
    unknown = set(item) - {"field", "op", "value"}
    if unknown:
        raise FilterError(
            _("A condition has “field”, “op” and “value”, not %(keys)s.")
            % {"keys": ", ".join(sorted(unknown))}
        )
    path, op = item.get("field"), item.get("op")
    if not isinstance(path, str) or path not in fields:
        raise FilterError(_("There is no field “%(field)s” to filter by.") % {"field": path})
    field = fields[path]
    if op not in field.ops:
        raise FilterError(
            _("“%(op)s” does not apply to %(field)s; use one of: %(ops)s.")
            % {"op": op, "field": path, "ops": ", ".join(field.ops)}
        )
    value = item.get("value")
    if op == "is_empty":
        return _empty_q(model, field)
    if op == "is_not_empty":
        return ~_empty_q(model, field)
    if field.kind in (TAGS, MULTI):
        names = [str(v) for v in (value if isinstance(value, list) else [value])]
        if field.kind == MULTI:
            names = [_one(field, name) for name in names]
            has = Q()
            for name in names:
                # The stored list as JSON text holds the quoted choice on both databases.
                has |= Q(IContains(KeyTextTransform(field.custom_key, field.lookup), f'"{name}"'))
        else:
            if not names or len(names) > MAX_VALUES or any(not n.strip() for n in names):
                raise _bad(field, _("name one or more tags."))
            has = Q(pk__in=_with_tags(model, field, names))
        return has if op == "has" else ~has
    if op in ("in", "not_in"):
        q = _compare(field, "in", _many(field, value))
        return q if op == "in" else ~q
    if op == "between":
        low, high = _many(field, value, exactly=2)
        return _range(field, ">=", low) & _range(field, "<=", high)
    one = _one(field, value)
    if op in ("gt", "gte", "lt", "lte"):
        return _range(field, {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op], one)
    if op == "contains":
        return _compare(field, "icontains", one)
    if op == "not_contains":
        return ~_compare(field, "icontains", one)
    if field.kind == DATETIME:  # eq: on that day
        return _range(field, ">=", one) & _range(field, "<=", one)
    q = _compare(field, "exact", one)
    return q if op == "eq" else ~q


def _range(field: Field, sign: str, value: Any) -> Q:
    """A bound on a field; a date against a date-time means that whole day, in the
    current time zone."""
    if field.kind == DATETIME:
        start = day_start(value)
        if sign in (">=", "<"):
            return _compare(field, {">=": "gte", "<": "lt"}[sign], start)
        end = start + datetime.timedelta(days=1)
        return _compare(field, {"<=": "lt", ">": "gte"}[sign], end)
    return _compare(field, {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[sign], value)


def _with_tags(model: type[models.Model], field: Field, names: list[str] | None) -> Any:
    """Ids of `model`'s records whose (related record's) tags include any of `names`, or
    any tag at all: a subquery, so a record with several tags is still one row."""
    tagged: dict[str, Any] = {f"{field.lookup}__isnull": False}
    if names is not None:
        tagged = {f"{field.lookup}__name__in": names}
    return model._default_manager.filter(**tagged).values("pk")


def _empty_q(model: type[models.Model], field: Field) -> Q:
    if field.kind == TAGS:
        return ~Q(pk__in=_with_tags(model, field, None))
    return _empty(field)


def _group(
    model: type[models.Model], fields: dict[str, Field], node: Any, depth: int, count: list[int]
) -> Q:
    if depth > MAX_NESTING:
        raise FilterError(_("Groups nest at most %(n)d deep.") % {"n": MAX_NESTING})
    if isinstance(node, list):
        node = {"all": node}
    if not isinstance(node, dict):
        raise FilterError(_("A filter is a list of conditions or an “all”/“any” group."))
    if "field" in node:
        count[0] += 1
        if count[0] > MAX_CONDITIONS:
            raise FilterError(_("At most %(n)d conditions.") % {"n": MAX_CONDITIONS})
        return _condition(model, fields, node)
    if len(node) != 1 or next(iter(node)) not in ("all", "any"):
        raise FilterError(_("A group is {“all”: [...]} or {“any”: [...]}."))
    joiner, items = next(iter(node.items()))
    if not isinstance(items, list):
        raise FilterError(_("A group is {“all”: [...]} or {“any”: [...]}."))
    combined = Q()
    for item in items:
        q = _group(model, fields, item, depth + 1, count)
        combined = (combined & q) if joiner == "all" else (combined | q)
    return combined


def parse(raw: str | bytes | None) -> Any:
    """A filter as text (a `where` query parameter, a form field) read as JSON."""
    if raw in (None, "", b""):
        return []
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        raise FilterError(_("The filter is not valid JSON.")) from None


def compile_filter(
    model: type[models.Model],
    spec: Any,
    user: Actor | None,
    fields: dict[str, Field] | None = None,
) -> Q:
    """The filter as a Q over `model`; FilterError saying what is wrong otherwise.
    `fields` are `fields_of(model, user)` where the caller has them already."""
    return _group(model, fields if fields is not None else fields_of(model, user), spec, 0, [0])


def narrow(
    user: Actor | None,
    queryset: models.QuerySet,
    spec: Any,
    fields: dict[str, Field] | None = None,
) -> models.QuerySet:
    """The records of `queryset` (already the user's visible ones, from the record type's
    selector) that the filter keeps."""
    q = compile_filter(queryset.model, spec, user, fields)
    return queryset.filter(q) if q else queryset


def with_condition(spec: Any, *conditions: dict) -> dict:
    """The filter with more conditions all of which must hold too (a drill-down's)."""
    base = spec if isinstance(spec, dict) else {"all": list(spec or [])}
    return {"all": [base, *conditions]} if conditions else base


def dumps(spec: Any) -> str:
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)


def narrow_list(request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
    """A list narrowed by its `where` parameter (a report's value drilled into): the
    records of the list the filter keeps; a filter that cannot apply is said on the page
    and the list shown without it."""
    raw = request.GET.get("where")
    if not raw:
        return queryset
    try:
        return narrow(request.user, queryset, parse(raw))  # type: ignore[arg-type]
    except FilterError as error:
        messages.error(request, error.messages[0])
        return queryset
