"""Field types the API's schemas share: bounded text without NUL characters, ids that fit
a database integer, JSON objects without NUL, dates and times written as text; what both
databases accept, each rule stated in the OpenAPI schema so a client can follow it."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

MAX_ID = 2**63 - 1
NUL = "\x00"


def _no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


@dataclass(frozen=True)
class SchemaPattern:
    """States a rule the validators below enforce as a `pattern` in the OpenAPI schema, so
    a client (or a fuzzer) knows it, while the error keeps the validator's own words."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


@dataclass(frozen=True)
class SchemaExtra:
    """Adds keywords to a value's OpenAPI schema (a dict's `propertyNames`)."""

    keywords: dict[str, Any]

    def __hash__(self) -> int:
        return id(self)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


@dataclass(frozen=True)
class SchemaFormat:
    """States a value's format (`email`) in the OpenAPI schema; a validator enforces it."""

    format: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["format"] = self.format
        return schema


NO_NUL = r"^[^\x00]*$"
# `If-Match`: an ETag as the API sends it ("3", W/"3") or *.
IF_MATCH = r'^[ \t]*(\*|(W/)?"?[0-9]{1,18}"?)[ \t]*$'
IfMatch = Annotated[str, SchemaPattern(IF_MATCH)]


def text(max_length: int) -> Any:
    """Bounded text without NUL, as a pydantic annotation (a value made at run time)."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(_no_nul),
        SchemaPattern(NO_NUL),
    ]


# A name holds a character that is neither a space (as Python and as JavaScript count
# spaces: the services collapse spaces, so a name of spaces would be empty) nor NUL.
VISIBLE = r"[^\s\x00\x1c-\x1f\x85\ufeff]"
_VISIBLE = re.compile(VISIBLE)


def _not_blank(value: str) -> str:
    if not _VISIBLE.search(value):
        raise ValueError(_("This may not be empty or only spaces."))
    return value


def name_text(max_length: int) -> Any:
    """Text that may not be empty or only spaces (a name, a title), without NUL."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(_no_nul),
        AfterValidator(_not_blank),
        SchemaPattern(rf"^[^\x00]*{VISIBLE}[^\x00]*$"),
    ]


# Custom field values: text, numbers, yes/no, or lists of those (several choices); no NUL
# anywhere, keys included.
_Key = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(_no_nul), SchemaPattern(NO_NUL)
]
_Scalar = Annotated[str, AfterValidator(_no_nul), SchemaPattern(NO_NUL)] | int | float | bool | None
JsonObject = Annotated[
    dict[_Key, _Scalar | list[_Scalar]],
    SchemaExtra({"propertyNames": {"maxLength": 100, "pattern": NO_NUL}}),
]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?([eE][+-]?\d+)?\s*")


def _written(value: Any) -> Any:
    """A date or time given as a number would be read as seconds since 1970; the schema
    says text (format date / date-time), so a number is refused."""
    if isinstance(value, int | float | Decimal) or (
        isinstance(value, str) and NUMBER.fullmatch(value)
    ):
        raise ValueError(_("Write the date as text, like 2026-03-01 (or 2026-03-01T09:30:00Z)."))
    return value


Date = Annotated[
    datetime.date,
    Field(ge=datetime.date(1900, 1, 1), le=datetime.date(9000, 1, 1)),
    BeforeValidator(_written),
    SchemaPattern(r"^((19[0-9]{2}|[2-8][0-9]{3})-[0-9]{2}-[0-9]{2}|9000-01-01)$"),
]


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    """Kept in UTC: PostgreSQL refuses offsets past ±15:59 that the format allows."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError(_("This time is out of range.")) from None


DateTime = Annotated[datetime.datetime, BeforeValidator(_written), AfterValidator(_in_utc)]


@dataclass(frozen=True)
class _DecimalSchema:
    """States what an amount may be: a number that is a multiple of 0.01, or the same
    written as text (digits, at most two decimals), with its bounds."""

    pattern: str
    step: float

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "number":
                branch["multipleOf"] = self.step
            elif branch.get("type") == "string":
                branch["pattern"] = self.pattern
        return schema


def _amount_reader(places: int, written: re.Pattern[str]) -> Any:
    step = Decimal(1).scaleb(-places)

    def read(value: Any) -> Any:
        if isinstance(value, str):
            if not written.fullmatch(value):
                raise ValueError(
                    _("Write the amount with digits and at most %(places)s decimals, like 1250.50.")
                    % {"places": places}
                )
            return value
        if isinstance(value, float):
            # A JSON number is a binary float: 1.15 arrives as 1.1500000000000001. The
            # nearest amount of whole cents is what was meant, when it is that near.
            exact = Decimal(repr(value))
            try:
                rounded = exact.quantize(step)
            except InvalidOperation:  # far too large: the bounds refuse it
                return value
            if abs(exact - rounded) < Decimal("1e-9"):
                return rounded
        return value

    return read


def bounded_decimal(
    *,
    le: Decimal,
    ge: Decimal | None = None,
    gt: Decimal | None = None,
    max_digits: int = 14,
    places: int = 2,
    written: str = "",
) -> Any:
    """A money amount (or a rate) of at most `max_digits` digits, `places` of them after
    the point, within its bounds; as a number or as text. Every rule is in the schema: the
    text form's pattern is `written` when the bounds are not all the digits allow (a rate
    up to 100)."""
    whole = max_digits - places
    if not written and gt is not None:
        # Above zero: a digit other than 0 before the point, or after it.
        fractions = "|".join(
            f"0{{{zeros}}}[1-9][0-9]{{0,{places - 1 - zeros}}}" for zeros in range(places)
        )
        written = rf"0*[1-9][0-9]{{0,{whole - 1}}}(\.[0-9]{{1,{places}}})?|0*\.({fractions})"
    elif not written:
        written = rf"[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?"
    return Annotated[
        Decimal,
        Field(ge=ge, gt=gt, le=le, max_digits=max_digits, decimal_places=places),
        BeforeValidator(_amount_reader(places, re.compile(f"({written})"))),
        _DecimalSchema(pattern=f"^({written})$", step=float(Decimal(1).scaleb(-places))),
    ]


CURRENCY = re.compile(r"[A-Za-z]{3}")


def _currency(value: str) -> str:
    if not CURRENCY.fullmatch(value):
        raise ValueError(_("Use a three-letter currency, like RON or EUR."))
    return value


# ISO 4217 style: three Latin letters (any case).
Currency = Annotated[str, AfterValidator(_currency), SchemaPattern(f"^{CURRENCY.pattern}$")]


def exactly_one_of(*names: str, properties: dict[str, dict[str, Any]] | None = None) -> ConfigDict:
    """A body's `model_config` stating that it names exactly one of `names` (a project's
    company or person, a timer's task or record), as the service checks it: neither or both
    is a 422. `properties` adds what else holds when that one is named (a task's timer is
    no call)."""
    return ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": [name], **({"properties": extra} if extra else {})}
                for name in names
                for extra in [(properties or {}).get(name)]
            ]
        }
    )
