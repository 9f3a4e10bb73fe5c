"""The dashboards' and a saved report's benchmarks, with their SQL floors: the figures' main grouped queries
(contacts added and orders sold by month over a year, open deals by stage), written by
hand for each database, limited as the page limits them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from bench.requests import Context

YEAR = datetime.timedelta(days=366)


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})"
    return f"strftime('%%Y-%%m', {column})"


def _owners(ids: list[int]) -> str:
    return ", ".join(str(int(pk)) for pk in ids)


def figures_sql(owner_ids: list[int] | None) -> list[tuple[str, list]]:
    since = datetime.datetime.now(datetime.UTC) - YEAR
    mine = f" AND owner_id IN ({_owners(owner_ids)})" if owner_ids is not None else ""
    return [
        (
            f"SELECT {_month('created_at')}, COUNT(*) FROM customers_contact"
            f" WHERE deleted_at IS NULL AND created_at >= %s{mine} GROUP BY 1",
            [since],
        ),
        (
            f"SELECT {_month('placed_at')}, currency, COUNT(*), SUM(total) FROM orders_order"
            f" WHERE deleted_at IS NULL AND placed_at >= %s{mine} GROUP BY 1, 2",
            [since],
        ),
        (
            "SELECT stage_id, currency, COUNT(*), SUM(amount) FROM deals_deal"
            f" WHERE deleted_at IS NULL AND status = 'open'{mine} GROUP BY 1, 2",
            [],
        ),
    ]


def _report(c: Context) -> str:
    """The saved report the benchmark opens: deals by stage, the sum of their amounts."""
    from clientela.analytics.models import Report

    report, _created = Report.objects.get_or_create(
        owner=c.admin,
        name="Bench: deals by stage",
        defaults={
            "record_type": "deal",
            "group_by": "stage",
            "measure": "sum",
            "measure_field": "amount",
        },
    )
    return f"/reports/{report.pk}/"


def report_sql() -> list[tuple[str, list]]:
    return [
        (
            "SELECT stage_id, currency, SUM(amount) FROM deals_deal"
            " WHERE deleted_at IS NULL GROUP BY 1, 2",
            [],
        )
    ]


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('day', {column})"
    return f"strftime('%%Y-%%m-%%d', {column})"


def forecast_sql() -> list[tuple[str, list]]:
    """The forecast page's history reads: orders sold by day and currency (converted at
    each day's rate) and contacts added by month over three years, and the open pipeline
    by expected close month."""
    since = datetime.datetime.now(datetime.UTC) - 3 * YEAR
    return [
        (
            f"SELECT {_day('placed_at')}, currency, SUM(total) FROM orders_order"
            " WHERE deleted_at IS NULL AND placed_at >= %s GROUP BY 1, 2",
            [since],
        ),
        (
            f"SELECT {_month('created_at')}, COUNT(*) FROM customers_contact"
            " WHERE deleted_at IS NULL AND created_at >= %s GROUP BY 1",
            [since],
        ),
        (
            f"SELECT {_month('expected_close')}, currency, stage_id, COUNT(*), SUM(amount)"
            " FROM deals_deal WHERE deleted_at IS NULL AND status = 'open' GROUP BY 1, 2, 3",
            [],
        ),
    ]


def backtest(c: Context) -> dict:
    """The forecasts' error on their held-back months, as the administrator's page shows
    it: per figure, the months of history, the mean absolute error and its percentage."""
    from clientela.analytics import forecasts

    result = {}
    for key, make in (("revenue", forecasts.revenue), ("new customers", forecasts.new_customers)):
        figure = make(c.admin)
        test = figure.fit.backtest if figure.fit else None
        result[key] = {
            "history_months": len(figure.months),
            "unit": figure.unit,
            "mae": str(test.mae) if test else None,
            "mape_percent": str(test.mape) if test and test.mape is not None else None,
        }
    return result


# The people page's 30 days: those just before the generated data's NOW (the day it was
# generated on, where its activities, tasks and timers end), named on the page's address.
PEOPLE_DAYS = 30


def people_span() -> tuple[datetime.datetime, datetime.datetime]:
    from bench.generate import NOW

    return NOW - datetime.timedelta(days=PEOPLE_DAYS), NOW


def people_url(c: Context, limited: bool) -> str:
    start, end = people_span()
    last = (end - datetime.timedelta(days=1)).date()
    return f"/dashboards/people/?from={start.date().isoformat()}&to={last.isoformat()}"


def people_sql(owner_ids: list[int] | None) -> list[tuple[str, list]]:
    """The people page's figures over its 30 days (people_span), by person: calls and
    meetings logged, tasks done (on time or not), deals won by currency and day (converted
    at each day's rate), tickets resolved (within their deadline or not), survey ratings,
    and the time timed on tasks and tickets."""
    since, until = people_span()

    def whose(column: str) -> str:
        return f" AND {column} IN ({_owners(owner_ids)})" if owner_ids is not None else ""

    return [
        (
            "SELECT author_id, kind, COUNT(*), SUM(duration_seconds) FROM activities_activity"
            " WHERE kind IN ('call', 'meeting') AND occurred_at >= %s AND occurred_at < %s"
            f"{whose('author_id')} GROUP BY 1, 2",
            [since, until],
        ),
        (
            "SELECT assignee_id, COUNT(*),"
            " SUM(CASE WHEN due_at IS NULL OR done_at <= due_at THEN 1 ELSE 0 END)"
            " FROM activities_task WHERE done_at >= %s AND done_at < %s"
            f"{whose('assignee_id')} GROUP BY 1",
            [since, until],
        ),
        (
            f"SELECT owner_id, currency, {_day('closed_at')}, COUNT(*), SUM(amount)"
            " FROM deals_deal WHERE deleted_at IS NULL AND status = 'won'"
            f" AND closed_at >= %s AND closed_at < %s{whose('owner_id')} GROUP BY 1, 2, 3",
            [since, until],
        ),
        (
            "SELECT owner_id, COUNT(*), SUM(CASE WHEN resolution_due IS NULL"
            " OR resolved_at <= resolution_due THEN 1 ELSE 0 END) FROM tickets_ticket"
            " WHERE deleted_at IS NULL AND resolved_at >= %s AND resolved_at < %s"
            f"{whose('owner_id')} GROUP BY 1",
            [since, until],
        ),
        (
            "SELECT agent_id, AVG(rating), COUNT(*) FROM tickets_survey"
            f" WHERE answered_at >= %s AND answered_at < %s{whose('agent_id')} GROUP BY 1",
            [since, until],
        ),
        (
            "SELECT user_id, kind, SUM(seconds) FROM activities_timeentry"
            " WHERE kind IN ('task', 'record') AND seconds IS NOT NULL"
            f" AND started_at >= %s AND started_at < %s{whose('user_id')} GROUP BY 1, 2",
            [since, until],
        ),
    ]


def marketing_sql(owner_ids: list[int] | None) -> list[tuple[str, list]]:
    """The marketing dashboard's figures: contacts added by month and source over a year,
    stage moves into and out of each stage over a year, contacts by stage and by consent
    now (the representative's: his team's contacts)."""
    since = datetime.datetime.now(datetime.UTC) - YEAR
    mine = f" AND owner_id IN ({_owners(owner_ids)})" if owner_ids is not None else ""
    # The stage moves of the contacts one may see: the rule on the join, as the page says it.
    seen = " JOIN customers_contact c ON c.id = m.contact_id AND c.deleted_at IS NULL" + (
        f" AND c.owner_id IN ({_owners(owner_ids)})" if owner_ids is not None else ""
    )
    return [
        (
            f"SELECT {_month('created_at')}, source, COUNT(*) FROM customers_contact"
            f" WHERE deleted_at IS NULL AND created_at >= %s{mine} GROUP BY 1, 2",
            [since],
        ),
        (
            f"SELECT m.to_stage_id, COUNT(*) FROM customers_lifecyclechange m{seen}"
            " WHERE m.changed_at >= %s GROUP BY 1",
            [since],
        ),
        (
            f"SELECT m.from_stage_id, COUNT(*) FROM customers_lifecyclechange m{seen}"
            " WHERE m.changed_at >= %s AND m.from_stage_id IS NOT NULL GROUP BY 1",
            [since],
        ),
        (
            "SELECT lifecycle_stage_id, COUNT(*) FROM customers_contact"
            f" WHERE deleted_at IS NULL{mine} GROUP BY 1",
            [],
        ),
        (
            "SELECT marketing_consent, COUNT(*) FROM customers_contact"
            f" WHERE deleted_at IS NULL{mine} GROUP BY 1",
            [],
        ),
    ]


def benchmarks():
    from bench.requests import Benchmark

    def own(c: Context, limited: bool) -> list[tuple[str, list]]:
        return figures_sql([(c.limited if limited else c.admin).pk])

    return [
        Benchmark("dashboard: my numbers", lambda c, limited: "/dashboards/", own),
        # A representative has no team reports: his own dashboard is his widest.
        Benchmark(
            "dashboard: executive (a representative: his own)",
            lambda c, limited: "/dashboards/" if limited else "/dashboards/executive/",
            lambda c, limited: own(c, True) if limited else figures_sql(None),
        ),
        # The representative sees his team's contacts, the administrator everyone's.
        Benchmark(
            "dashboard: marketing",
            lambda c, limited: "/dashboards/marketing/",
            lambda c, limited: marketing_sql(c.team if limited else None),
        ),
        Benchmark(
            "dashboard: forecast",
            lambda c, limited: "/dashboards/forecast/",
            lambda c, limited: forecast_sql(),
            admin_only=True,
        ),
        # Everyone's figures for the administrator; a representative oversees nobody, so
        # the page shows his own.
        Benchmark(
            "dashboard: people",
            people_url,
            lambda c, limited: people_sql([c.limited.pk] if limited else None),
        ),
        Benchmark(
            "report: deals by stage, sum of amounts",
            lambda c, limited: _report(c),
            lambda c, limited: report_sql(),
            admin_only=True,
        ),
    ]
