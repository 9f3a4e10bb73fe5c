"""The forecast page's figures: revenue and new customers by month from the records the
user may see, each with its statistical forecast (analytics.forecasting) and back-test,
and the win probability of each stage as the recorded stage changes show it.

Revenue is the orders sold (as on the dashboards), every amount converted to the base
currency at the rate of its day; an amount with no rate that day is left out and named.
For a role that may not see amounts, the number of orders sold is forecast instead.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.analytics import forecasting
from clientela.analytics.figures import Cell, Chart, Row
from clientela.analytics.selectors import CENT, _url, user_zone
from clientela.core import events, permissions, remembered
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.currencies.selectors import Missing
from clientela.customers import selectors as customer_selectors
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import DealStatus, Pipeline, Stage
from clientela.orders import selectors as order_selectors

HISTORY_MONTHS = 36  # complete months read for the fit, before this one
SHOWN_MONTHS = 12  # of them, the ones drawn beside the forecast


@dataclass
class Forecast:
    chart: Chart
    months: list[datetime.date]  # the history the model saw (leading empty months dropped)
    fit: forecasting.Fit | None
    unit: str = ""  # the base currency, or "" for a count
    missing: list[Missing] = field(default_factory=list)

    @property
    def backtest_rows(self) -> list[tuple[str, Decimal, Decimal]]:
        test = self.fit.backtest if self.fit else None
        if test is None:
            return []
        held = self.months[-len(test.actual) :]
        return [
            (formats.date_format(month, "YEAR_MONTH_FORMAT"), predicted, actual)
            for month, predicted, actual in zip(held, test.predicted, test.actual, strict=True)
        ]

    @property
    def missing_currencies(self) -> str:
        return ", ".join(sorted({m.currency for m in self.missing}))


def _add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def this_month(user, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(user_zone(user)).date().replace(day=1)


def _window(user, now) -> tuple[datetime.date, datetime.datetime, datetime.tzinfo]:
    """This month, the start of the history read for the fit, and the user's time zone."""
    zone = user_zone(user)
    current = this_month(user, now)
    first = _add_months(current, -HISTORY_MONTHS)
    return current, datetime.datetime.combine(first, datetime.time.min, tzinfo=zone), zone


def _by_month(
    rows: QuerySet, field: str, start: datetime.datetime, current: datetime.date, zone
) -> list[dict]:
    """The grouped rows of `rows` from `start` on: those of the complete months before
    `current` remembered (core.remembered: until a table their query reads is written),
    this month's read each time. The history is every row of 36 months (1.3 s for the
    forecast page at 1M contacts, most of it here)."""
    month_start = datetime.datetime.combine(current, datetime.time.min, tzinfo=zone)
    if rows.model in events.unsaved():
        # This transaction wrote the table: one query, the cache would not serve it.
        return list(rows.filter(**{f"{field}__gte": start}))
    history = rows.filter(**{f"{field}__gte": start, f"{field}__lt": month_start})
    return remembered.rows(history) + list(rows.filter(**{f"{field}__gte": month_start}))


def _history(current: datetime.date, values: dict[datetime.date, Decimal]) -> list[datetime.date]:
    """The complete months before `current` from the first one with anything in it."""
    months = [_add_months(current, -n) for n in range(HISTORY_MONTHS, 0, -1)]
    while months and not values.get(months[0]):
        months.pop(0)
    return months


def _days(month: datetime.date) -> dict[str, str]:
    last = _add_months(month, 1) - datetime.timedelta(days=1)
    return {"from": month.isoformat(), "to": last.isoformat()}


def _label(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _short(month: datetime.date) -> str:
    return formats.date_format(month, "M Y")


def _forecast(
    key: str,
    title: str | Promise,
    current: datetime.date,
    values: dict[datetime.date, Decimal],
    link,
    *,
    unit: str = "",
    so_far: Decimal | None = None,
    missing: list[Missing] | None = None,
    note: str | Promise = "",
) -> Forecast:
    months = _history(current, values)
    history = [values.get(month, Decimal(0)) for month in months]
    fit = forecasting.fit(history)
    rows = [
        Row(
            _label(month),
            [Cell(values.get(month, Decimal(0)), link(month), unit), Cell(None)],
            _short(month),
        )
        for month in months[-SHOWN_MONTHS:]
    ]
    if fit is not None:
        for n, predicted in enumerate(fit.forecast):
            month = _add_months(current, n)
            actual = Cell(so_far, link(month), unit) if n == 0 else Cell(None)
            rows.append(Row(_label(month), [actual, Cell(predicted, "", unit)], _short(month)))
    if fit is None:
        summary = ngettext(
            "Too little history to forecast: %(months)s month with data, %(needed)s needed.",
            "Too little history to forecast: %(months)s months with data, %(needed)s needed.",
            len(months),
        ) % {"months": len(months), "needed": forecasting.MIN_HISTORY}
    elif fit.backtest is None:
        summary = _(
            "Too little history to measure the forecast's error: it needs %(needed)s months."
        ) % {"needed": forecasting.MIN_HISTORY + forecasting.HOLDOUT}
    else:
        test = fit.backtest
        # An amount as money is written in the reader's language ("1.234,50 lei").
        error = Cell(test.mae.quantize(CENT), "", unit).text
        summary = (
            _(
                "Back-test: forecast from the months before them, the last %(held)s months were"
                " missed by %(error)s on average (%(percent)s%%)."
            )
            if test.mape is not None
            else _(
                "Back-test: forecast from the months before them, the last %(held)s months were"
                " missed by %(error)s on average."
            )
        ) % {
            "held": forecasting.HOLDOUT,
            "error": error,
            "percent": formats.number_format(test.mape) if test.mape is not None else "",
        }
    chart = Chart(
        key,
        title,
        "bar",
        [_("Actual"), _("Forecast")],
        rows,
        summary=summary,
        note=note,
    )
    return Forecast(chart, months, fit, unit, missing or [])


def revenue(user, *, now: datetime.datetime | None = None) -> Forecast:
    current, start, zone = _window(user, now)
    orders = order_selectors.orders_for(user).filter(order_selectors.SOLD)

    def link(month: datetime.date) -> str:
        days = _days(month)
        return _url("orders:list", placed_from=days["from"], placed_to=days["to"], sold="on")

    if not permissions.sees_sensitive(user):
        counts = {
            _as_date(row["month"]): Decimal(row["n"])
            for row in _by_month(
                orders.annotate(month=TruncMonth("placed_at", tzinfo=zone))
                .values("month")
                .annotate(n=Count("id"))
                .order_by(),
                "placed_at",
                start,
                current,
                zone,
            )
        }
        return _forecast(
            "revenue-forecast",
            _("Orders sold by month, and their forecast"),
            current,
            counts,
            link,
            so_far=counts.get(current, Decimal(0)),
            note=_("Orders placed in the month, not cancelled or returned."),
        )
    rows = _by_month(
        orders.annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day", "currency")
        .annotate(total=Sum("total"))
        .order_by(),
        "placed_at",
        start,
        current,
        zone,
    )
    groups: dict[datetime.date, list[tuple[str, datetime.date, Decimal]]] = defaultdict(list)
    for row in rows:
        day = _as_date(row["day"])
        groups[day.replace(day=1)].append((row["currency"], day, row["total"] or Decimal(0)))
    base = currency_selectors.base_currency()
    converted = currency_selectors.convert_groups(dict(groups), base=base)
    totals = {month: sum_.total.quantize(CENT) for month, sum_ in converted.items()}
    missing = [m for sum_ in converted.values() for m in sum_.missing]
    return _forecast(
        "revenue-forecast",
        _("Revenue by month, and its forecast"),
        current,
        {month: total for month, total in totals.items() if month < current},
        link,
        unit=base,
        so_far=totals.get(current, Decimal("0.00")),
        missing=missing,
        note=_(
            "Orders placed in the month, not cancelled or returned, in %(base)s at the rate"
            " of each order's day."
        )
        % {"base": base},
    )


def new_customers(user, *, now: datetime.datetime | None = None) -> Forecast:
    current, start, zone = _window(user, now)
    rows = _by_month(
        customer_selectors.contacts_for(user)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
        .order_by(),
        "created_at",
        start,
        current,
        zone,
    )
    counts = {_as_date(row["month"]): Decimal(row["n"]) for row in rows}

    def link(month: datetime.date) -> str:
        days = _days(month)
        return _url("customers:contact-list", created_from=days["from"], created_to=days["to"])

    return _forecast(
        "customers-forecast",
        _("New customers by month, and their forecast"),
        current,
        {month: n for month, n in counts.items() if month < current},
        link,
        so_far=counts.get(current, Decimal(0)),
        note=_("Contacts added in the month."),
    )


# Stage probabilities -----------------------------------------------------------------
@dataclass
class StageOdds:
    stage: Stage
    closed: int  # closed deals (won or lost) that reached this stage
    won: int

    @property
    def learned(self) -> Decimal | None:
        return (
            (Decimal(self.won) * 100 / self.closed).quantize(Decimal("0.1"))
            if self.closed
            else None
        )


@dataclass
class PipelineOdds:
    pipeline: Pipeline
    stages: list[StageOdds]


def learned_probabilities(user) -> list[PipelineOdds]:
    """For each stage, the share of the closed deals that reached it (entered it or a later
    stage, as the stage history records; a won deal reached every stage) which were won:
    the probability the history teaches, beside the one typed on the stage. One query a
    pipeline, over the deals the user may see."""
    result = []
    closed = deal_selectors.deals_for(user).filter(status__in=(DealStatus.WON, DealStatus.LOST))
    won = Q(status=DealStatus.WON)
    for pipeline in deal_selectors.pipelines():
        stages = list(pipeline.stages.all())
        if not stages:
            continue
        reached = {
            stage.pk: won
            | Q(
                stage_changes__to_stage__pipeline=pipeline,
                stage_changes__to_stage__position__gte=stage.position,
            )
            for stage in stages
        }
        in_pipeline = closed.filter(pipeline=pipeline)

        # Remembered until a deal, a stage change or a stage is written (a move, a win,
        # the trash): the query's SQL names those tables.
        counts = remembered.totals(
            in_pipeline,
            **{f"c{pk}": Count("id", filter=q, distinct=True) for pk, q in reached.items()},
            **{f"w{pk}": Count("id", filter=q & won, distinct=True) for pk, q in reached.items()},
        )
        result.append(
            PipelineOdds(
                pipeline,
                [
                    StageOdds(stage, counts[f"c{stage.pk}"], counts[f"w{stage.pk}"])
                    for stage in stages
                ],
            )
        )
    return result
