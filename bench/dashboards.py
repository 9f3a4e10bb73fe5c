"""The dashboards' benchmarks, with their SQL floors: the figures' main grouped queries
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
    ]
