"""The report builder's engine: which records a report may count (the record types and
their selectors), by what it may group them and what it may measure, and the figures
themselves, each one GROUP BY query over the records the reader may see, narrowed by the
report's filter (core.filters). A report reads as a dashboard figure (figures.Chart):
the same chart, the same data table, every value linking to the list of its records."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connection, models
from django.db.models import Avg, Count, F, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Trunc, TruncDate
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.activities import selectors as activity_selectors
from clientela.activities.models import Activity
from clientela.analytics import selectors as figures
from clientela.analytics.models import Measure
from clientela.core import filters
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.currencies.selectors import Converted
from clientela.core.models import model_name
from clientela.customers import selectors as customer_selectors
from clientela.customers.models import Company, Contact
from clientela.deals import selectors as deal_selectors
from clientela.deals.models import Deal
from clientela.orders import selectors as order_selectors
from clientela.orders.models import Order, Product
from clientela.tickets import selectors as ticket_selectors
from clientela.tickets.models import Ticket
from clientela.users.models import Team, User

CENT = Decimal("0.01")
MAX_GROUPS = 200  # rows a report shows; the rest are left out, and it says so


@dataclass(frozen=True)
class Source:
    """A record type a report counts: its visible records and the list they drill into."""

    key: str
    label: str | Promise
    model: type[models.Model]
    records: Callable[[Any], models.QuerySet]
    list_url: str = ""  # the URL name of its list, which reads a `where` filter
    product: str = ""  # the path to the products on its lines, if it has lines


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source(
            "contact",
            _("Contacts"),
            Contact,
            customer_selectors.contacts_for,
            "customers:contact-list",
        ),
        Source(
            "company",
            _("Companies"),
            Company,
            customer_selectors.companies_for,
            "customers:company-list",
        ),
        Source(
            "deal", _("Deals"), Deal, deal_selectors.deals_for, "deals:deal-list", "lines__product"
        ),
        Source(
            "order", _("Orders"), Order, order_selectors.orders_for, "orders:list", "lines__product"
        ),
        Source("activity", _("Activities"), Activity, activity_selectors.activities_for),
        Source("ticket", _("Tickets"), Ticket, ticket_selectors.tickets_for, "tickets:list"),
    )
}


class ReportError(ValueError):
    """A report that cannot be run as it stands, with the reason for its author."""


@dataclass(frozen=True)
class Grouping:
    key: str
    label: str
    expression: Any
    # How a row's value becomes its label, and the filter condition its drill-down adds.
    kind: str  # person, team, related, choice, custom, month, week, product
    field: filters.Field | None = None


def groupings(
    source: Source, user, fields: dict[str, filters.Field] | None = None
) -> dict[str, Grouping]:
    """What `user` may group this record type by: its owner and their team, each record
    it points to (a stage, a queue), each choice field and custom choice, each date by
    month and by week, and the products on its lines."""
    fields = fields if fields is not None else filters.fields_of(source.model, user)
    found: dict[str, Grouping] = {}
    for path, field in fields.items():
        if "." in path and not path.startswith("custom."):
            continue
        if field.kind == filters.RELATION and field.model_field is not None:
            target = field.model_field.related_model
            kind = "person" if target is User else "related"
            found[path] = Grouping(path, field.label, F(field.lookup), kind, field)
            if target is User and f"{path}.team" in fields:
                found[f"{path}.team"] = Grouping(
                    f"{path}.team",
                    str(_("Team of %(who)s") % {"who": field.label}),
                    F(f"{field.lookup}__team"),
                    "team",
                    fields[f"{path}.team"],
                )
        elif field.kind == filters.CHOICE and not field.custom_key:
            found[path] = Grouping(path, field.label, F(field.lookup), "choice", field)
        elif field.kind == filters.CHOICE:
            expression = KeyTextTransform(field.custom_key, field.lookup)
            found[path] = Grouping(path, field.label, expression, "custom", field)
        elif field.kind in (filters.DATE, filters.DATETIME) and not field.custom_key:
            for period, name in (
                ("month", _("%(field)s by month")),
                ("week", _("%(field)s by week")),
            ):
                key = f"{period}:{path}"
                found[key] = Grouping(key, str(name % {"field": field.label}), field, period, field)
    if source.product:
        found["product"] = Grouping("product", str(_("Product")), F(source.product), "product")
    return found


def measures(
    source: Source, user, fields: dict[str, filters.Field] | None = None
) -> dict[str, filters.Field]:
    """The numeric fields of this record type `user` may sum, average or take the median of."""
    fields = fields if fields is not None else filters.fields_of(source.model, user)
    return {
        path: field
        for path, field in fields.items()
        if field.kind == filters.NUMBER
        and not field.custom_key
        and "." not in path
        and path != "id"
    }


def _currency(source: Source, measure: str) -> bool:
    """Amounts are summed per currency, never across: deals and orders have one each."""
    return measure != Measure.COUNT and any(f.name == "currency" for f in source.model._meta.fields)


# The day a record's amount is converted to the base currency at: when a deal was closed
# (an open one: created) and an order placed (a quote: created).
RATE_DAY = {"deal": ("closed_at", "created_at"), "order": ("placed_at", "created_at")}


@dataclass
class Definition:
    """What a report asks for, checked: as the builder's form and a saved report give it."""

    source: Source
    spec: Any
    grouping: Grouping
    measure: str
    measure_field: filters.Field | None
    fields: dict[str, filters.Field]


def checked(
    user, record_type: str, spec: Any, group_by: str, measure: str, measure_field: str
) -> Definition:
    """The report's parts checked for `user`; ReportError or filters.FilterError saying what is wrong."""
    source = SOURCES.get(record_type)
    if source is None:
        raise ReportError(_("Choose what to report on."))
    fields = filters.fields_of(source.model, user)
    filters.compile_filter(source.model, spec, user, fields)  # refuses a bad filter now
    grouping = groupings(source, user, fields).get(group_by)
    if grouping is None:
        raise ReportError(_("Choose how to group the records."))
    if measure not in Measure.values:
        raise ReportError(_("Choose a measure."))
    field = None
    if measure != Measure.COUNT:
        field = measures(source, user, fields).get(measure_field)
        if field is None:
            raise ReportError(_("Choose the number to measure."))
        if grouping.kind == "product":
            raise ReportError(_("Grouped by product, a report counts the records."))
    return Definition(source, spec, grouping, measure, field, fields)


@dataclass
class Result:
    chart: figures.Chart
    definition: Definition
    truncated: bool = False


def _group_expression(definition: Definition, zone: datetime.tzinfo) -> Any:
    grouping = definition.grouping
    if grouping.kind in ("month", "week"):
        assert grouping.field is not None
        is_datetime = grouping.field.kind == filters.DATETIME
        return Trunc(
            grouping.field.lookup,
            grouping.kind,
            output_field=models.DateField(),
            tzinfo=zone if is_datetime else None,
        )
    return grouping.expression


def _aggregate(
    definition: Definition, queryset: models.QuerySet, zone: datetime.tzinfo
) -> list[tuple[Any, str, Any]]:
    """(group value, currency, figure) rows: one GROUP BY query (two nested ones for a
    median, ranked by window functions, which both databases have)."""
    split = _currency(definition.source, definition.measure)
    rows = queryset.order_by().annotate(
        g=_group_expression(definition, zone), c=F("currency") if split else Value("")
    )
    field = definition.measure_field
    if definition.measure == Measure.COUNT:
        distinct = definition.grouping.kind == "product"
        result = rows.values("g", "c").annotate(v=Count("pk", distinct=distinct))
        return [(r["g"], r["c"], r["v"]) for r in result]
    assert field is not None
    if definition.measure in (Measure.SUM, Measure.AVERAGE):
        function = Sum if definition.measure == Measure.SUM else Avg
        result = rows.values("g", "c").annotate(v=function(field.lookup))
        return [(r["g"], r["c"], r["v"]) for r in result]
    inner = rows.annotate(v=F(field.lookup)).filter(v__isnull=False).values("g", "c", "v")
    # `sql` is the ORM's own compiled query of the filtered records; every value a user
    # gave is among `params`, never in the text.
    sql, params = inner.query.sql_with_params()
    median = (
        "SELECT g, c, AVG(v) FROM (SELECT g, c, v,"  # noqa: S608
        " ROW_NUMBER() OVER (PARTITION BY g, c ORDER BY v) AS rn,"
        " COUNT(*) OVER (PARTITION BY g, c) AS n"
        f" FROM ({sql}) AS base) AS ranked"
        " WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g, c"
    )
    with connection.cursor() as cursor:
        cursor.execute(median, params)
        return [(g, c, v) for g, c, v in cursor.fetchall()]


def _converted(
    definition: Definition, queryset: models.QuerySet, zone: datetime.tzinfo
) -> tuple[dict[Any, Converted], dict[Any, int]]:
    """Per group, the sum of the measured amounts in the base currency, each at the rate of
    its record's day (RATE_DAY), and how many amounts there were (for an average). One
    GROUP BY query by group, currency and day, and one read of the rates."""
    field = definition.measure_field
    assert field is not None
    days = [F(name) for name in RATE_DAY.get(definition.source.key, ("created_at",))]
    day = Coalesce(*days) if len(days) > 1 else days[0]
    rows = (
        queryset.order_by()
        .annotate(g=_group_expression(definition, zone), d=TruncDate(day, tzinfo=zone))
        .values("g", "currency", "d")
        .annotate(v=Sum(field.lookup), n=Count(field.lookup))
    )
    groups: dict[Any, list] = defaultdict(list)
    counts: dict[Any, int] = defaultdict(int)
    for row in rows:
        key = _as_date(row["g"]) if definition.grouping.kind in ("month", "week") else row["g"]
        if row["v"] is not None:
            groups[key].append((row["currency"], _as_date(row["d"]), row["v"]))
        counts[key] += row["n"]
    return currency_selectors.convert_groups(dict(groups)), counts


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _labels(definition: Definition, keys: list[Any]) -> list[tuple[Any, str, dict | None]]:
    """Each group's value, label and the condition that picks its records, in order: a
    period in time order, a stage in its pipeline's order, the rest by label."""
    grouping = definition.grouping
    field = grouping.field
    path = field.path if field is not None else ""
    present = [key for key in keys if key is not None]
    none = (
        [(None, str(_("None")), {"field": path, "op": "is_empty"} if path else None)]
        if None in keys
        else []
    )
    if grouping.kind in ("month", "week"):
        out: list[tuple[Any, str, dict | None]] = []
        days: set[datetime.date] = {d for d in (_as_date(k) for k in present) if d is not None}
        for key in sorted(days):
            if grouping.kind == "month":
                end = (key + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
                    days=1
                )
                label = formats.date_format(key, "YEAR_MONTH_FORMAT")
            else:
                end = key + datetime.timedelta(days=6)
                label = formats.date_format(key, "SHORT_DATE_FORMAT")
            condition = {
                "field": path,
                "op": "between",
                "value": [key.isoformat(), end.isoformat()],
            }
            out.append((key, label, condition))
        return out + none
    if grouping.kind in ("person", "team", "related", "product"):
        model: type[models.Model] = (
            User if grouping.kind == "person" else Team if grouping.kind == "team" else Product
        )
        if grouping.kind == "related" and field is not None and field.model_field is not None:
            model = field.model_field.related_model  # type: ignore[assignment]
        ordered = list(model._default_manager.filter(pk__in=present))
        if grouping.kind == "person":
            ordered.sort(key=lambda user: str(getattr(user, "display_name", "")).lower())
        out = [
            (
                item.pk,
                item.display_name if isinstance(item, User) else str(item),
                {"field": path, "op": "eq", "value": item.pk} if path else None,
            )
            for item in ordered
        ]
        return out + none
    choices = dict(field.choices) if field is not None else {}
    out = [
        (key, str(choices.get(str(key), key)), {"field": path, "op": "eq", "value": key})
        for key in present
    ]
    out.sort(key=lambda row: row[1].lower())
    return out + none


def _figure(value: Any, measure: str) -> Any:
    if value is None:
        return None
    if measure == Measure.COUNT:
        return int(value)
    return Decimal(str(value)).quantize(CENT)


def drill_url(definition: Definition, condition: dict | None) -> str:
    """The list of the records behind one value: the report's filter and the group's."""
    if not definition.source.list_url or condition is None:
        return ""
    spec = filters.with_condition(definition.spec, condition)
    return reverse(definition.source.list_url) + "?" + urlencode({"where": filters.dumps(spec)})


def measure_label(definition: Definition) -> str:
    if definition.measure == Measure.COUNT:
        return str(_("Number of records"))
    assert definition.measure_field is not None
    return f"{Measure(definition.measure).label} · {definition.measure_field.label}"


def run(user, definition: Definition) -> Result:
    """The report's figures over the records `user` may see."""
    zone = figures.user_zone(user)
    queryset = filters.narrow(
        user, definition.source.records(user), definition.spec, definition.fields
    )
    rows = _aggregate(definition, queryset, zone)
    split = _currency(definition.source, definition.measure)
    values: dict[tuple[Any, str], Any] = {}
    for group, currency, value in rows:
        key = _as_date(group) if definition.grouping.kind in ("month", "week") else group
        values[(key, currency or "")] = _figure(value, definition.measure)
    series_keys = sorted({currency for _group, currency in values}) or [""]
    labelled = _labels(definition, list({group for group, _currency in values}))
    truncated = len(labelled) > MAX_GROUPS
    table = [
        figures.Row(
            label,
            [
                figures.Cell(values.get((key, currency)), drill_url(definition, condition))
                for currency in series_keys
            ],
            label[:24],
        )
        for key, label, condition in labelled[:MAX_GROUPS]
    ]
    measure = measure_label(definition)
    series: list[str | Promise] = [
        f"{measure} ({c})" if split and c else measure for c in series_keys
    ]
    note = ""
    base = currency_selectors.base_currency() if split else ""
    if split and definition.measure != Measure.MEDIAN and set(series_keys) - {base, ""}:
        note = _base_column(definition, queryset, zone, labelled, table)
        series.append(_("%(measure)s in %(base)s") % {"measure": measure, "base": base})
    chart = figures.Chart(
        "report",
        measure,
        "bar",
        series,
        table,
        axis=definition.grouping.label,
        note=note,
    )
    return Result(chart, definition, truncated)


def _base_column(
    definition: Definition,
    queryset: models.QuerySet,
    zone: datetime.tzinfo,
    labelled: list[tuple[Any, str, dict | None]],
    table: list[figures.Row],
) -> str:
    """Adds to each row its figure across currencies in the base currency, at the rate of
    each record's day; empty where an amount had no rate, which the returned note names."""
    converted, counts = _converted(definition, queryset, zone)
    missing: set[str] = set()
    for (key, _label, condition), row in zip(labelled, table, strict=False):
        total = converted.get(key)
        value: Decimal | None = None
        if total is not None and total.complete:
            value = total.total
            if definition.measure == Measure.AVERAGE:
                value = (value / counts[key]).quantize(CENT) if counts.get(key) else None
        elif total is not None:
            missing |= {m.currency for m in total.missing}
        row.cells.append(figures.Cell(value, drill_url(definition, condition)))
    if not missing:
        return ""
    return str(
        _(
            "Some amounts in %(currencies)s had no exchange rate on their day: their groups"
            " have no figure in the base currency."
        )
        % {"currencies": ", ".join(sorted(missing))}
    )


def record_type_of(model: type[models.Model]) -> str:
    return model_name(model)


def reports_for(user) -> models.QuerySet:
    """The saved reports `user` may open: their own and those shared with their team or role."""
    from django.db.models import Q

    from clientela.analytics.models import Report

    shared = Q(owner=user)
    if user.team_id:
        shared |= Q(team_id=user.team_id)
    if user.role_id:
        shared |= Q(role_id=user.role_id)
    return Report.objects.filter(shared, deleted_at__isnull=True).select_related(
        "owner", "team", "role"
    )


def definition_of(user, report) -> Definition:
    """A saved report as `user` may run it: ReportError or FilterError when their role
    does not show a field it uses."""
    return checked(
        user,
        report.record_type,
        report.filters,
        report.group_by,
        report.measure,
        report.measure_field,
    )


def table(result: Result) -> list[list[str]]:
    """The report as plain rows (header first): what CSV, XLSX and PDF show."""
    chart = result.chart
    rows = [[str(chart.row_heading), *(str(name) for name in chart.series)]]
    rows += [[row.label, *(cell.raw for cell in row.cells)] for row in chart.rows]
    return rows
