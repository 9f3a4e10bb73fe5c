"""The dashboards' figures: each one or two GROUP BY queries over the records the user may
see (the domain apps' own selectors, so the same visibility rule as the lists), by month
in the user's time zone, with a link from every value to the list of the records behind it.

A figure is a `Chart`: rows (a month, a stage, a person) of cells (one per series), each
cell with its value and the filtered list it counts. The page draws it as a chart and as
its data table; the table is the source the chart is drawn from (analytics/charts.js).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.activities import selectors as activity_selectors
from clientela.activities.models import ActivityKind
from clientela.analytics.figures import Cell, Chart, Row
from clientela.core import permissions, remembered
from clientela.customers import selectors as customer_selectors
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import DealStatus, Stage
from clientela.orders import selectors as order_selectors
from clientela.orders.models import OrderLine
from clientela.tickets import selectors as ticket_selectors
from clientela.tickets.models import TicketStatus
from clientela.users.models import User

MONTHS = 12  # the period every monthly figure covers, this month included
ACTIVITY_DAYS = 30
# What people log; an order's or a ticket's own entries are events, not someone's work.
LOGGED_KINDS = (
    ActivityKind.NOTE,
    ActivityKind.CALL,
    ActivityKind.MEETING,
    ActivityKind.EMAIL,
    ActivityKind.MESSAGE,
)
DAY = Decimal("0.1")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class Period:
    """The last MONTHS months in the user's time zone: their first days and the start."""

    zone: datetime.tzinfo
    months: list[datetime.date]
    start: datetime.datetime
    now: datetime.datetime = field(default_factory=timezone.now)

    def label(self, month: datetime.date) -> str:
        return formats.date_format(month, "YEAR_MONTH_FORMAT")

    def short(self, month: datetime.date) -> str:
        return formats.date_format(month, "M Y")

    def days(self, month: datetime.date) -> dict[str, str]:
        """A month as the lists' from/to date filters."""
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        last = following - datetime.timedelta(days=1)
        return {"from": month.isoformat(), "to": last.isoformat()}


def user_zone(user) -> datetime.tzinfo:
    """The time zone on the person's account, or the installation's."""
    try:
        return (
            zoneinfo.ZoneInfo(user.time_zone) if user.time_zone else timezone.get_default_timezone()
        )
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def period_for(user, *, now: datetime.datetime | None = None) -> Period:
    now = now or timezone.now()
    zone = user_zone(user)
    first = now.astimezone(zone).date().replace(day=1)
    months = [first]
    for _i in range(MONTHS - 1):
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    start = datetime.datetime.combine(months[0], datetime.time.min, tzinfo=zone)
    return Period(zone=zone, months=months, start=start, now=now)


def _month(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _url(name: str, **query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _month_rows(period: Period, cells_for) -> list[Row]:
    """One row per month of the period: `cells_for(month, its first and last day)`."""
    return [
        Row(period.label(month), cells_for(month, period.days(month)), period.short(month))
        for month in period.months
    ]


def _sold_url(user, mine: bool, days: dict) -> str:
    """The orders list narrowed to what was sold on those days."""
    return _url(
        "orders:list",
        placed_from=days["from"],
        placed_to=days["to"],
        sold="on",
        owner=_mine(user, mine),
    )


def _mine(user, mine: bool) -> str:
    return "me" if mine else ""


# Sales ---------------------------------------------------------------------------------
def revenue(user, period: Period, *, mine: bool = False) -> Chart:
    """Orders sold (placed, not cancelled or returned) by month of placing: the total of
    each currency (never added across currencies), or their number for a role that may
    not see amounts."""
    orders = order_selectors.orders_for(user).filter(
        order_selectors.SOLD, placed_at__gte=period.start
    )
    if mine:
        orders = orders.filter(owner=user)
    rows = (
        orders.annotate(month=TruncMonth("placed_at", tzinfo=period.zone))
        .values("month", "currency")
        .annotate(n=Count("id"), total=Sum("total"))
        .order_by()
    )
    sees = permissions.sees_sensitive(user)
    values: dict[tuple, Any] = {}
    currencies: set[str] = set()
    for row in remembered.rows(rows):
        key = row["currency"] if sees else ""
        currencies.add(key)
        month_key = (_month(row["month"]), key)
        amount = (row["total"] or Decimal(0)).quantize(CENT) if sees else row["n"]
        values[month_key] = values.get(month_key, 0) + amount
    keys = sorted(currencies) if sees and currencies else [""]
    series: list[str | Promise] = (
        list(keys) if sees and currencies else [_("Revenue") if sees else _("Orders")]
    )
    table = _month_rows(
        period,
        lambda month, days: [
            Cell(values.get((month, key), ZERO if sees else 0), _sold_url(user, mine, days))
            for key in keys
        ],
    )
    return Chart(
        "revenue",
        _("Revenue by month") if sees else _("Orders sold by month"),
        "bar",
        series,
        table,
        note=_("Orders placed in the month, not cancelled or returned."),
        currency=keys[0] if sees and len(keys) == 1 else "",
    )


def products_sold(user, period: Period, *, mine: bool = False) -> Chart:
    """Units on the lines of the orders sold, by month of placing."""
    orders = order_selectors.orders_for(user).filter(
        order_selectors.SOLD, placed_at__gte=period.start
    )
    if mine:
        orders = orders.filter(owner=user)
    rows = (
        OrderLine.objects.filter(order__in=orders)
        .annotate(month=TruncMonth("order__placed_at", tzinfo=period.zone))
        .values("month")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    units = {_month(row["month"]): row["units"] for row in remembered.rows(rows)}
    table = _month_rows(
        period,
        lambda month, days: [Cell(units.get(month, 0), _sold_url(user, mine, days))],
    )
    return Chart("products", _("Products sold by month"), "bar", [_("Units")], table)


def new_customers(user, period: Period, *, mine: bool = False) -> Chart:
    """Contacts added, by month."""
    contacts = customer_selectors.contacts_for(user).filter(created_at__gte=period.start)
    if mine:
        contacts = contacts.filter(owner=user)
    rows = (
        contacts.annotate(month=TruncMonth("created_at", tzinfo=period.zone))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {_month(row["month"]): row["n"] for row in remembered.rows(rows)}

    def cells(month, days) -> list[Cell]:
        url = _url(
            "customers:contact-list",
            created_from=days["from"],
            created_to=days["to"],
            owner=_mine(user, mine),
        )
        return [Cell(counts.get(month, 0), url)]

    table = _month_rows(period, cells)
    return Chart("customers", _("New customers by month"), "bar", [_("Contacts")], table)


def pipeline_by_stage(user, period: Period, *, mine: bool = False) -> Chart:
    """Open deals by stage (every pipeline, in its order): their number, and their amount
    per currency for a role that may see amounts."""
    deals = deal_selectors.deals_for(user).filter(status=DealStatus.OPEN)
    if mine:
        deals = deals.filter(owner=user)
    rows = deals.values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount"))
    counts: dict[int, int] = defaultdict(int)
    totals: dict[tuple, Decimal] = {}
    currencies: set[str] = set()
    for row in remembered.rows(rows.order_by()):
        counts[row["stage_id"]] += row["n"]
        totals[(row["stage_id"], row["currency"])] = (row["total"] or Decimal(0)).quantize(CENT)
        currencies.add(row["currency"])
    sees = permissions.sees_sensitive(user)
    shown = sorted(currencies) if sees else []
    stages = list(Stage.objects.select_related("pipeline").order_by("pipeline_id", "position"))
    several = len({stage.pipeline_id for stage in stages}) > 1
    table = []
    for stage in stages:
        url = _url(
            "deals:deal-list",
            status="open",
            pipeline=stage.pipeline_id,
            stage=stage.pk,
            owner=_mine(user, mine),
        )
        label = f"{stage.pipeline.name} · {stage.name}" if several else stage.name
        cells = [Cell(counts.get(stage.pk, 0), url)]
        cells += [Cell(totals.get((stage.pk, currency), ZERO), url) for currency in shown]
        table.append(Row(label, cells))
    return Chart(
        "pipeline",
        _("Pipeline by stage"),
        "bar",
        [_("Open deals"), *shown],
        table,
        drawn=1,
        axis=_("Stage"),
    )


def _closed(user, period: Period, mine: bool):
    deals = deal_selectors.deals_for(user).filter(
        status__in=(DealStatus.WON, DealStatus.LOST), closed_at__gte=period.start
    )
    return deals.filter(owner=user) if mine else deals


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(DAY) if whole else None


def win_rate(user, period: Period, *, mine: bool = False) -> Chart:
    """Deals won and lost by month of closing, and the share won."""
    rows = (
        _closed(user, period, mine)
        .annotate(month=TruncMonth("closed_at", tzinfo=period.zone))
        .values("month")
        .annotate(
            won=Count("id", filter=Q(status=DealStatus.WON)),
            lost=Count("id", filter=Q(status=DealStatus.LOST)),
        )
        .order_by()
    )
    by_month = {_month(row["month"]): (row["won"], row["lost"]) for row in remembered.rows(rows)}
    table = []
    for month in period.months:
        days = period.days(month)
        won, lost = by_month.get(month, (0, 0))
        link = {"closed_from": days["from"], "closed_to": days["to"], "owner": _mine(user, mine)}
        table.append(
            Row(
                period.label(month),
                [
                    Cell(won, _url("deals:deal-list", status="won", **link)),
                    Cell(lost, _url("deals:deal-list", status="lost", **link)),
                    Cell(_percent(won, won + lost)),
                ],
                period.short(month),
            )
        )
    won = sum(won for won, _lost in by_month.values())
    closed = sum(won + lost for won, lost in by_month.values())
    rate = _percent(won, closed)
    return Chart(
        "win-rate",
        _("Win rate"),
        "bar",
        [_("Won"), _("Lost"), _("Won (%)")],
        table,
        drawn=2,
        stacked=True,
        summary=(
            _("%(rate)s%% of the %(closed)s deals closed in the period were won.")
            % {"rate": formats.number_format(rate), "closed": closed}
            if rate is not None
            else _("No deal was closed in the period.")
        ),
    )


def deal_cycle(user, period: Period, *, mine: bool = False) -> Chart:
    """Average days from a deal's creation to its win, by month of winning."""
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    won = _closed(user, period, mine).filter(status=DealStatus.WON)
    rows = (
        won.annotate(month=TruncMonth("closed_at", tzinfo=period.zone))
        .values("month")
        .annotate(n=Count("id"), average=Avg(cycle))
        .order_by()
    )
    by_month = {_month(row["month"]): (row["n"], row["average"]) for row in remembered.rows(rows)}
    overall = remembered.totals(won, average=Avg(cycle), n=Count("id"))
    table = []
    for month in period.months:
        days = period.days(month)
        n, average = by_month.get(month, (0, None))
        url = _url(
            "deals:deal-list",
            status="won",
            closed_from=days["from"],
            closed_to=days["to"],
            owner=_mine(user, mine),
        )
        table.append(
            Row(period.label(month), [Cell(_days(average), url), Cell(n, url)], period.short(month))
        )
    average = _days(overall["average"])
    return Chart(
        "cycle",
        _("Average deal cycle"),
        "bar",
        [_("Days to win"), _("Deals won")],
        table,
        drawn=1,
        summary=(
            _("A deal won in the period took %(days)s days on average.")
            % {"days": formats.number_format(average)}
            if average is not None
            else _("No deal was won in the period.")
        ),
    )


def _days(duration) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 86400).quantize(DAY)


def activities_by_person(user, period: Period, *, mine: bool = False) -> Chart:
    """Calls, meetings, notes and messages of the last ACTIVITY_DAYS days on records the
    user may see, by who logged them and of what kind."""
    since = period.now - datetime.timedelta(days=ACTIVITY_DAYS)
    activities = activity_selectors.activities_for(user).filter(kind__in=LOGGED_KINDS)
    if mine:
        activities = activities.filter(author=user)
    counts: dict[tuple, int] = {}
    kinds: set[str] = set()
    for row in _logged_since(activities, since):
        counts[(row["author_id"], row["kind"])] = row["n"]
        kinds.add(row["kind"])
    order = [kind for kind, _label in ActivityKind.choices if kind in kinds]
    labels = dict(ActivityKind.choices)
    authors = {key[0] for key in counts}
    people = User.objects.filter(pk__in=[pk for pk in authors if pk is not None])
    names = {person.pk: person.display_name for person in people}
    table = [
        Row(
            names.get(author, "") if author is not None else str(_("Nobody")),
            [Cell(counts.get((author, kind), 0)) for kind in order],
        )
        for author in sorted(authors, key=lambda pk: names.get(pk, "").lower())
    ]
    return Chart(
        "activities",
        _("Activities by person, last 30 days"),
        "bar",
        [labels[kind] for kind in order],
        table,
        stacked=True,
        axis=_("Person"),
    )


def _logged_since(activities, since: datetime.datetime) -> list[dict]:
    """`activities` since `since` by author and kind, remembered (core.remembered) with the
    moment the oldest of them leaves the window: the same rows serve a later `since` up to
    then, and a write to a table they read reads them afresh."""

    def count() -> dict:
        rows = list(
            activities.filter(occurred_at__gte=since)
            .values("author_id", "kind")
            .annotate(n=Count("id"), oldest=Min("occurred_at"))
            .order_by()
        )
        return {
            "since": since,
            "oldest": min((row["oldest"] for row in rows), default=None),
            "rows": rows,
        }

    found = remembered.remembered(
        activities,
        count,
        key=["logged-since"],
        still_right=lambda found: (
            found["since"] <= since and (found["oldest"] is None or since <= found["oldest"])
        ),
    )
    return found["rows"]


# Support -------------------------------------------------------------------------------
def tickets_by_status(user, period: Period, *, mine: bool = False) -> Chart:
    """Tickets by their status now."""
    tickets = ticket_selectors.tickets_for(user)
    if mine:
        tickets = tickets.filter(owner=user)
    counts = {
        row["status"]: row["n"]
        for row in remembered.rows(tickets.values("status").annotate(n=Count("id")).order_by())
    }
    table = [
        Row(
            str(label),
            [
                Cell(
                    counts.get(status, 0),
                    _url("tickets:list", status=status, assignee=_mine(user, mine)),
                )
            ],
        )
        for status, label in TicketStatus.choices
    ]
    return Chart(
        "tickets", _("Tickets by status"), "doughnut", [_("Tickets")], table, axis=_("Status")
    )


def sla_compliance(user, period: Period, *, mine: bool = False) -> Chart:
    """Tickets whose first response and resolution met their SLA deadline or missed it;
    tickets still inside their deadline are in neither. One query."""
    tickets = ticket_selectors.tickets_for(user)
    if mine:
        tickets = tickets.filter(owner=user)
    counts = _sla_counts(tickets, period.now)
    table = []
    for target, label in (("response", _("First response")), ("resolution", _("Resolution"))):
        met, missed = counts[f"{target}_met"], counts[f"{target}_missed"]
        assignee = _mine(user, mine)
        table.append(
            Row(
                str(label),
                [
                    Cell(met, _url("tickets:list", sla=f"{target}-met", assignee=assignee)),
                    Cell(missed, _url("tickets:list", sla=f"{target}-missed", assignee=assignee)),
                    Cell(_percent(met, met + missed)),
                ],
            )
        )
    return Chart(
        "sla",
        _("SLA compliance"),
        "bar",
        [_("In time"), _("Late"), _("In time (%)")],
        table,
        drawn=2,
        stacked=True,
        note=_("Tickets still inside their deadline are not counted yet."),
        axis=_("Deadline"),
    )


def _sla_counts(tickets, now: datetime.datetime) -> dict[str, int]:
    """Each SLA outcome's count of `tickets` at `now`, remembered (core.remembered) with
    the next deadline still to pass among the tickets waiting for an answer or a
    resolution: until then, time alone moves no ticket from inside its deadline to late,
    and the same counts serve any later `now`; a write to the tickets reads them afresh."""
    waiting = {
        target: Q(**{f"{due}__isnull": False, f"{done}__isnull": True, f"{due}__gte": now})
        & Q(sla_paused_at__isnull=True)
        for target, done, due in (
            ("response", "first_responded_at", "first_response_due"),
            ("resolution", "resolved_at", "resolution_due"),
        )
    }

    def count() -> dict:
        counts = tickets.aggregate(
            **{
                outcome.replace("-", "_"): Count(
                    "id", filter=ticket_selectors.sla_outcome(outcome, now=now)
                )
                for outcome, _label in ticket_selectors.SLA_OUTCOMES
            },
            next_response=Min("first_response_due", filter=waiting["response"]),
            next_resolution=Min("resolution_due", filter=waiting["resolution"]),
        )
        due = [counts.pop("next_response"), counts.pop("next_resolution")]
        return {
            "at": now,
            "until": min((d for d in due if d is not None), default=None),
            "counts": counts,
        }

    found = remembered.remembered(
        tickets,
        count,
        key=["sla-outcomes"],
        still_right=lambda found: (
            found["at"] <= now and (found["until"] is None or now <= found["until"])
        ),
    )
    return found["counts"]


RATING = Decimal("0.1")
