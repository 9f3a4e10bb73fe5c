"""Template helpers of the component set: times, phone display, query strings, amounts."""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import template
from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clientela.core.listing import RelatedCells as _RelatedCells
from clientela.core.money import format_money, format_totals
from clientela.core.permissions import HIDDEN
from clientela.core.phones import display as display_phone
from clientela.core.phones import is_checked
from clientela.core.telephony.services import dial_href as _dial_href
from clientela.core.telephony.services import request_dial_template

if TYPE_CHECKING:
    from django.utils.safestring import SafeString

    from clientela.core.actors import Actor
    from clientela.core.listing import Cell

register = template.Library()


@lru_cache(maxsize=4096)
def _phrase(table: str, key: str, language: str | None, params: tuple) -> str:
    return str(getattr(NaturalTimeFormatter, table)[key] % dict(params))


class _Phrase:
    """One of naturaltime's phrases in one language, translated and filled in once per
    number: Django translates each afresh (three lookups a time, ~20 µs)."""

    __slots__ = ("key", "language", "table")

    def __init__(self, table: str, key: str, language: str | None) -> None:
        self.table, self.key, self.language = table, key, language

    def __mod__(self, params: dict) -> str:
        return _phrase(self.table, self.key, self.language, tuple(params.items()))

    def __str__(self) -> str:
        return _phrase(self.table, self.key, self.language, ())


@lru_cache(maxsize=64)
def _natural_time(language: str | None) -> type[NaturalTimeFormatter]:
    """Django's naturaltime, same rules and words, with its phrases kept, for one
    language: the language is asked once a date, not once a phrase."""

    def phrases(table: str) -> dict[str, _Phrase]:
        return {key: _Phrase(table, key, language) for key in getattr(NaturalTimeFormatter, table)}

    # The formatter only fills its phrases in with %, which _Phrase answers as a str does.
    return type(
        "_NaturalTime",
        (NaturalTimeFormatter,),
        {
            "time_strings": phrases("time_strings"),
            "past_substrings": phrases("past_substrings"),
            "future_substrings": phrases("future_substrings"),
        },
    )


def relative(value: datetime.datetime) -> str:
    """What humanize's naturaltime says of `value` ("3 hours ago")."""
    return str(_natural_time(get_language()).string_for(value))


@register.simple_tag(takes_context=True)
def related_link(context: template.Context, record: Any) -> SafeString:
    """A related record's name, linked when the reader may open it (core.listing's
    related_cell): a deal's company of another team is named, not a link to a 404."""
    # One RelatedCells per template rendered: a list's rows ask the role once per type.
    cells = context.render_context.get("ui.related_cells")
    if cells is None:
        cells = context.render_context["ui.related_cells"] = _RelatedCells(context["request"].user)
    cell = cells(record)
    if cell.url:
        return format_html('<a href="{}">{}</a>', cell.url, cell.text)
    return format_html("{}", cell.text)


@register.simple_tag
def when(value: datetime.datetime | None, empty: str = "—") -> str:
    """A relative time ("3 hours ago"). The browser shows the exact date and time on
    hover (app.js, from the `datetime` attribute): formatted here, it was a third of a
    list page's cells (docs/performance.md)."""
    if not value:
        return empty
    return mark_safe(  # noqa: S308 - the text is escaped here
        f'<time datetime="{value.isoformat(timespec="seconds")}">'
        f"{conditional_escape(relative(value))}</time>"
    )


@register.filter
def phone(value: str) -> str:
    return display_phone(value)


@register.filter
def unchecked_phone(e164: str) -> bool:
    """A stored number an import kept as written, not checked (core.phones.is_checked)."""
    return bool(e164) and not is_checked(e164)


@register.simple_tag(takes_context=True)
def dial_href(context: template.Context, e164: str) -> str:
    """Where a click on a phone number goes: `tel:` or the phone system's address."""
    return _dial_href(e164, request_dial_template(context.get("request")))


@register.simple_tag(takes_context=True)
def phone_link(context: template.Context, e164: str) -> str:
    """A phone number shown the international way, as a link that dials it."""
    if not e164:
        return ""
    return format_html(
        '<a class="num" href="{}">{}</a>', dial_href(context, e164), display_phone(e164)
    )


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (None removes)."""
    query = context["request"].GET.copy()
    query.pop("after", None)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


def _duration_patterns() -> dict[str, str]:
    """How a duration reads in the page's language: seconds only, whole minutes, both."""
    return {"s": _("%(s)d s"), "m": _("%(m)d min"), "ms": _("%(m)d min %(s)d s")}


@register.filter
def duration(seconds: float | str | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    patterns = _duration_patterns()
    if minutes == 0:
        return patterns["s"] % {"s": secs}
    return (patterns["ms"] if secs else patterns["m"]) % {"m": minutes, "s": secs}


@register.filter
def ticking_duration(seconds: float | str | None) -> SafeString | str:
    """A duration still running (a timer's): the server's count, which app.js then moves
    on a second at a time with the same patterns; a reload starts again from the server's.
    Not announced at each tick when inside a live region (aria-live off)."""
    if seconds is None:
        return ""
    count = max(0, int(seconds))
    patterns = _duration_patterns()
    return format_html(
        '<time data-ticking data-seconds="{}" data-pattern-s="{}" data-pattern-m="{}"'
        ' data-pattern-ms="{}" datetime="PT{}S" aria-live="off">{}</time>',
        count,
        patterns["s"],
        patterns["m"],
        patterns["ms"],
        count,
        duration(count),
    )


@register.filter
def get_item(mapping: Any, key: object) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def model_name(record: Any) -> str:
    from clientela.core.models import model_name as name_of

    return name_of(record)


@register.filter
def is_web_address(url: object) -> bool:
    """Whether a stored address may be a link: http or https only, never `javascript:` (the
    services refuse others; an address stored before they did is shown as text)."""
    return isinstance(url, str) and url.lower().startswith(("https://", "http://"))


def _cell(value: Cell, dial_template: str = "") -> str:
    """One list cell (core.listing.Cell) as HTML. Built in Python, not an included
    template: a list page renders hundreds of cells and an include each cost most of
    the page's time (see docs/performance.md)."""
    text, kind = value.text, value.kind
    if kind == "date":
        return when(value.extra)
    if not text:
        return ""
    text = conditional_escape(text)
    if kind == "link" and ((value.url or "").startswith("/") or is_web_address(value.url)):
        html_ = f'<a href="{conditional_escape(value.url)}" class="cell-link">{text}</a>'
    elif kind == "email":
        html_ = f'<a href="mailto:{text}">{text}</a>'
    elif kind == "phone":  # and a warning beside it when `extra` says one
        href = conditional_escape(_dial_href(value.url or "", dial_template))
        html_ = f'<a href="{href}" class="num">{text}</a>'
        if value.extra:
            html_ += f' <span class="badge badge--warning">{conditional_escape(value.extra)}</span>'
    elif kind == "badge":
        html_ = f'<span class="badge">{text}</span>'
    elif kind == "flagged":  # the text, and a warning beside it when `extra` says one
        html_ = text
        if value.extra:
            html_ += f' <span class="badge badge--warning">{conditional_escape(value.extra)}</span>'
    elif kind == "person":
        html_ = (
            '<span class="person"><span class="avatar avatar--small" aria-hidden="true">'
            f"{conditional_escape(value.extra)}</span>{text}</span>"
        )
    else:
        html_ = text
    return mark_safe(html_)  # noqa: S308 - text, url and extra escaped above


@register.simple_tag(takes_context=True)
def table_rows(
    context: template.Context, rows: list[tuple[Any, list[Cell]]], select: bool = False
) -> SafeString:
    """A list page's rows (record, cells from core.listing.page_context), each cell in its
    <td>, after a checkbox to select the record when `select`. One tag a page: a loop and
    a tag a cell, or a translated label a row, cost a list page a fifth of its time."""
    label = _("Select %(name)s")
    html_ = []
    dial_template = ""
    if any(value.kind == "phone" and value.text for _record, values in rows for value in values):
        dial_template = request_dial_template(context.get("request"))
    for record, values in rows:
        html_.append("<tr>")
        if select:
            html_.append(
                '<td class="table__select"><input type="checkbox" name="ids" '
                f'value="{record.pk}" aria-label="'
                f'{conditional_escape(label % {"name": record})}" data-row-select></td>'
            )
        html_.extend(f"<td>{_cell(value, dial_template)}</td>" for value in values)
        html_.append("</tr>")
    return mark_safe("".join(html_))  # noqa: S308 - every value escaped by _cell or here


# Amounts come to a template already presented (core.presenting): None stands for a value
# the user may not see, and these print its mark instead. No template asks about the role.
@register.simple_tag
def money(amount: Any, currency: str = "") -> str:
    """An amount with its currency, grouped ("12,500.50 RON"), or sums by currency when
    given a dict."""
    if amount is None:
        return HIDDEN
    if isinstance(amount, dict):
        return format_totals(amount) or "—"
    return format_money(amount, currency)


@register.simple_tag
def converted(value: Any) -> str:
    """A sum across currencies in the base currency ("≈ 27,425.90 RON"), or which rates it
    lacks; nothing when every amount was in the base currency or hidden from the user."""
    from django.utils.formats import date_format

    if value is None or not value.foreign:
        return ""
    if value.complete:
        return format_html(
            '<span class="converted">≈ <strong class="num">{}</strong></span>',
            format_money(value.total, value.base),
        )
    needed = ", ".join(
        _("%(currency)s on %(day)s")
        % {"currency": m.currency, "day": date_format(m.day, "SHORT_DATE_FORMAT")}
        for m in value.missing[:3]
    )
    more = len(value.missing) - 3
    if more > 0:
        needed += " " + _("and %(count)s more") % {"count": more}
    return format_html(
        '<span class="converted converted--missing">{}</span>',
        _("No total in %(base)s: no exchange rate for %(needed)s (Settings → Currencies).")
        % {"base": value.base, "needed": needed},
    )


@register.filter
def masked(value: Any, currency: str = "") -> Any:
    """A value as it stands ("450.00"), or an amount in its currency ("1,450.00 RON"), as
    {% money %} writes it."""
    if value is None:
        return HIDDEN
    return format_money(value, currency) if currency else value


@register.filter
def percent(value: Any) -> str:
    """A rate or a discount: "19%", "7.50%"."""
    if value is None:
        return HIDDEN
    return f"{floatformat(value, '-2')}%"


@register.filter
def can(user: Actor | None, capability: str) -> bool:
    """`{% if request.user|can:"export" %}`: whether the user's role has a capability."""
    from clientela.core import permissions

    return permissions.can(user, capability)


@register.simple_tag
def weekday_choices() -> list[tuple[str, str]]:
    """Monday 0 … Sunday 6 with their short names in the reader's language (Django's)."""
    from django.utils.dates import WEEKDAYS_ABBR

    return [(str(day), str(name)) for day, name in sorted(WEEKDAYS_ABBR.items())]


@register.inclusion_tag("components/new_menu.html", takes_context=True)
def new_menu(context: template.Context) -> dict:
    """The top bar's "+": a contact in the quick-add dialog (c), and the "new" page of every
    other record type the reader's role may add."""
    from django.urls import reverse
    from django.utils.text import capfirst

    from clientela.core import records

    kinds = records.addable(context["request"].user)
    return {
        "quick_contact": any(kind.name == "contact" for kind in kinds),
        "others": [
            (capfirst(kind.model._meta.verbose_name), reverse(kind.create_url))
            for kind in kinds
            if kind.name != "contact"
        ],
    }
