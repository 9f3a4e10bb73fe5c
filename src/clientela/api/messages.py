"""The schema's refusals in the reader's language. Pydantic writes its messages in English
("String should have at most 200 characters"); the API's error envelope gives, for the
kinds of error a request to this API can meet, the same rule in the language of the
person calling (their account's, else their browser's). Any other kind keeps pydantic's
text, and every item keeps pydantic's `type`, which a program should read instead."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not one the API takes."),
    "string_type": _("Write text here."),
    "string_too_short": ngettext_lazy(
        "Write at least %(min_length)s character.",
        "Write at least %(min_length)s characters.",
        "min_length",
    ),
    "string_too_long": ngettext_lazy(
        "Write at most %(max_length)s character.",
        "Write at most %(max_length)s characters.",
        "max_length",
    ),
    "string_pattern_mismatch": _("This does not have the form the API takes."),
    "int_type": _("Write a whole number."),
    "int_parsing": _("Write a whole number."),
    "int_from_float": _("Write a whole number."),
    "float_type": _("Write a number."),
    "float_parsing": _("Write a number."),
    "decimal_type": _("Write a number."),
    "decimal_parsing": _("Write a number."),
    "decimal_max_digits": ngettext_lazy(
        "Write at most %(max_digits)s digit.", "Write at most %(max_digits)s digits.", "max_digits"
    ),
    "decimal_max_places": ngettext_lazy(
        "Write at most %(decimal_places)s decimal.",
        "Write at most %(decimal_places)s decimals.",
        "decimal_places",
    ),
    "decimal_whole_digits": ngettext_lazy(
        "Write at most %(whole_digits)s digit before the point.",
        "Write at most %(whole_digits)s digits before the point.",
        "whole_digits",
    ),
    "greater_than": _("Write a number above %(gt)s."),
    "greater_than_equal": _("Write %(ge)s or more."),
    "less_than": _("Write a number below %(lt)s."),
    "less_than_equal": _("Write %(le)s or less."),
    "bool_type": _("Write true or false."),
    "bool_parsing": _("Write true or false."),
    "literal_error": _("Choose one of: %(expected)s."),
    "enum": _("Choose one of: %(expected)s."),
    "date_type": _("Write a date like 2026-03-01."),
    "date_parsing": _("Write a date like 2026-03-01."),
    "date_from_datetime_parsing": _("Write a date like 2026-03-01."),
    "date_from_datetime_inexact": _("Write a date like 2026-03-01."),
    "datetime_type": _("Write a date and time like 2026-03-01T09:30:00Z."),
    "datetime_parsing": _("Write a date and time like 2026-03-01T09:30:00Z."),
    "datetime_from_date_parsing": _("Write a date and time like 2026-03-01T09:30:00Z."),
    "list_type": _("Send a list."),
    "too_short": ngettext_lazy(
        "Send at least %(min_length)s item.", "Send at least %(min_length)s items.", "min_length"
    ),
    "too_long": ngettext_lazy(
        "Send at most %(max_length)s item.", "Send at most %(max_length)s items.", "max_length"
    ),
    "dict_type": _("Send a JSON object."),
    "model_type": _("Send a JSON object."),
    "model_attributes_type": _("Send a JSON object."),
}
VALUE_ERROR_PREFIXES = ("Value error, ", "Assertion failed, ")


def message(item: dict) -> str:
    """One pydantic error item's message, in the active language."""
    kind = str(item.get("type", ""))
    original = str(item.get("msg", ""))
    if kind in {"value_error", "assertion_error"}:
        # Our own validators' messages, already in the active language: without the prefix.
        for prefix in VALUE_ERROR_PREFIXES:
            original = original.removeprefix(prefix)
        return original
    template = MESSAGES.get(kind)
    if template is None:
        return original
    # Counts stay numbers: a plural message picks its form by them.
    ctx = dict(item.get("ctx") or {})
    if "expected" in ctx:  # "'web', 'event' or 'other'": the list without English
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    context = {
        key: value if isinstance(value, int) and not isinstance(value, bool) else str(value)
        for key, value in ctx.items()
    }
    try:
        return str(template % context)
    except (KeyError, ValueError, TypeError):
        return original
