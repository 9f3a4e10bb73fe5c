"""What a dashboard figure is made of: a `Chart` of rows (a month, a stage, a person) of
`Cell`s, each with its value, the filtered list it counts and, on the people page, its
`Trend` against the period before; the numbers written as the reader's language writes
them, each remembered once per page (`grouped`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.signals import setting_changed
from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from clientela.core.money import format_money

_WRITTEN: dict[tuple[str | None, type, str], str] = {}
_WRITTEN_MAX = 4096


def grouped(value: int | Decimal) -> str:
    """`formats.number_format(value, force_grouping=True)`, remembered per language: a page
    of figures writes the same few numbers hundreds of times. Keyed by the value as written,
    so 1.0 and 1.00 (equal, but written differently) stay apart."""
    key = (get_language(), type(value), str(value))
    text = _WRITTEN.get(key)
    if text is None:
        if len(_WRITTEN) >= _WRITTEN_MAX:
            _WRITTEN.clear()
        text = _WRITTEN[key] = formats.number_format(value, force_grouping=True)
    return text


def _forget_numbers(**_kwargs: Any) -> None:
    _WRITTEN.clear()


# A changed format setting (a test's override_settings) writes numbers differently.
setting_changed.connect(_forget_numbers)


@dataclass(frozen=True)
class Trend:
    """A figure against the period before: "up", "down" or "same", and by how many percent
    (None when the period before had nothing to compare with)."""

    direction: str
    percent: Decimal | None

    ARROWS = {"up": "↑", "down": "↓", "same": "→"}

    @property
    def arrow(self) -> str:
        return self.ARROWS[self.direction]

    @property
    def text(self) -> str:
        """What the table shows beside the figure: "↑ 50%", "↓ 12%", "↑ new", "→"."""
        if self.direction == "same":
            return self.arrow
        if self.percent is None:
            return f"{self.arrow} {_('new')}"
        return f"{self.arrow} " + _("%(percent)s%%") % {"percent": grouped(self.percent)}


def trend(now: Any, before: Any) -> Trend | None:
    """`now` against `before`, or None when either is missing (no ticket resolved)."""
    if now is None or before is None:
        return None
    now, before = Decimal(now), Decimal(before)
    if now == before:
        return Trend("same", Decimal(0))
    percent = None
    if before:
        percent = (abs(now - before) * 100 / abs(before)).quantize(Decimal(1))
    return Trend("up" if now > before else "down", percent)


@dataclass
class Cell:
    value: Any  # int or Decimal; None where there is nothing to show (no deal closed)
    url: str = ""
    currency: str = ""  # an amount: written as money is in the reader's language
    # The same figure in the period before, where a page compares (the people page).
    before: Any = None
    compared: bool = False

    # Each read once per cell (a table of people reads hundreds of cells), not on every
    # mention in the template.
    @cached_property
    def trend(self) -> Trend | None:
        return trend(self.value, self.before) if self.compared else None

    @cached_property
    def before_text(self) -> str:
        return Cell(self.before, currency=self.currency).text

    @cached_property
    def before_title(self) -> SafeString:
        """The trend's tooltip: the figure of the period before."""
        return self._before(gettext("Period before: %(value)s"))

    @cached_property
    def before_aside(self) -> SafeString:
        """The same, read out by screen readers after the trend."""
        return self._before(gettext("(period before: %(value)s)"))

    def _before(self, sentence: str) -> SafeString:
        # As {% blocktranslate %} writes it: the translation as it is, the value escaped.
        return mark_safe(sentence % {"value": conditional_escape(self.before_text)})  # noqa: S308

    @cached_property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if self.currency:
            return format_money(self.value, self.currency)
        return grouped(self.value)

    @property
    def raw(self) -> str:
        """The value as the chart reads it: no grouping, a dot for decimals."""
        return "" if self.value is None else str(self.value)

    @cached_property
    def html(self) -> SafeString:
        """The cell of the chart's data table (analytics/_chart.html): the value as the
        chart reads it, written for the reader, linked to the records behind it, and where
        the page compares, an arrow and a percentage against the period before."""
        shown = (
            format_html('<a href="{}">{}</a>', self.url, self.text)
            if self.url and self.value
            else conditional_escape(self.text)
        )
        change = self.trend
        if change:
            shown += format_html(
                ' <span class="trend trend--{}" data-trend="{}" title="{}">{}'
                '<span class="visually-hidden"> {}</span></span>',
                change.direction,
                change.direction,
                self.before_title,
                change.text,
                self.before_aside,
            )
        return format_html('<td class="table__num" data-value="{}">{}</td>', self.raw, shown)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    short: str = ""  # the label under a bar, where the full one would crowd the axis

    @property
    def cells_html(self) -> SafeString:
        """The row's cells, written once in Python (Cell.html) rather than a dozen template
        lookups each: a table of people has hundreds."""
        return mark_safe("".join(cell.html for cell in self.cells))  # noqa: S308


@dataclass
class Chart:
    key: str
    title: str | Promise
    kind: str  # bar or doughnut (Chart.js types)
    series: list[str | Promise]
    rows: list[Row]
    drawn: int = 0  # how many series the chart draws (0: all); the table shows every one
    axis: str | Promise = ""  # what the rows are; months when empty
    stacked: bool = False
    summary: str | Promise = ""  # one line above the chart (a rate over the whole period)
    note: str | Promise = ""  # what is counted
    # The currency of every series drawn, when they are amounts of one: the chart's axis
    # and tooltips write money in it (analytics/charts.js).
    currency: str = ""

    @property
    def row_heading(self) -> str | Promise:
        return self.axis or _("Month")

    @property
    def monthly(self) -> bool:
        return not self.axis

    @property
    def table_rows(self) -> list[Row]:
        """The newest month first in the table, where a reader looks first; the chart
        reads the rows back in time order (analytics/charts.js)."""
        return list(reversed(self.rows)) if self.monthly else self.rows
