"""Bench projects: one per company (a pure function of the seed and the company id, as
the companies' rows are), and the projects list's and page's benchmarks with their
hand-written SQL floors. `clientela bench generate` writes them with the companies."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from clientela.core.search import Document
from clientela.core.text import fold

if TYPE_CHECKING:
    from bench.generate import Ids, Plan

KINDS = ["Website", "Warehouse fit-out", "ERP roll-out", "Training", "Audit", "Rebranding"]
STATUSES = ["planned", "active", "active", "active", "on_hold", "done", "cancelled"]
STATUS_LABELS = {
    "planned": "Planned",
    "active": "Active",
    "on_hold": "On hold",
    "done": "Done",
    "cancelled": "Cancelled",
}


def project_rows(plan: Plan, ids: Ids, first: int, last: int) -> dict[str, list]:
    from bench import generate as g

    rows: dict[str, list] = {"project": [], "search": []}
    for n in range(first, last + 1):
        company_id = n  # one project per company, owned as its company is
        owner = g._owner(plan, ids, 22, company_id)
        created, updated = g._record_times(plan, 70, n)
        name = f"{KINDS[g.mix(plan.seed, 71, n) % len(KINDS)]} {n}"
        status = STATUSES[g.mix(plan.seed, 72, n) % len(STATUSES)]
        start = created.date()
        rows["project"].append(
            g._record(n, created, updated, owner, None)
            | {
                "name": name,
                "name_key": fold(name)[:200],
                "status": status,
                "company": company_id,
                "contact": None,
                "start_date": start,
                "due_date": start + datetime.timedelta(days=30 + g.mix(plan.seed, 73, n) % 300),
                "description": "",
            }
        )
        client = g.company_name(plan, company_id)
        document = Document(
            title=name,
            subtitle=f"{client} · {STATUS_LABELS[status]}",
            parts=[client, ""],
            owner_id=owner,
        )
        rows["search"].append(g._search_row(ids.project_type, n, document))
    return rows


# The benchmarks ------------------------------------------------------------------------------
PAGE = 50

PROJECT_ROWS = """
SELECT p.id, p.name, p.status, p.start_date, p.due_date, p.updated_at,
       co.id, co.name, c.id, c.full_name, u.id, u.full_name
FROM projects_project p
LEFT JOIN customers_company co ON co.id = p.company_id
LEFT JOIN customers_contact c ON c.id = p.contact_id
LEFT JOIN users_user u ON u.id = p.owner_id
WHERE p.deleted_at IS NULL {where}
ORDER BY p.name_key, p.id
LIMIT {limit}"""


def _visible(context, limited: bool) -> str:
    """The product's rule in SQL: the role's scope on projects and on their clients."""
    from bench.requests import _in

    if not limited:
        return (
            " AND (p.company_id IN (SELECT id FROM customers_company WHERE deleted_at IS NULL)"
            " OR p.contact_id IN (SELECT id FROM customers_contact WHERE deleted_at IS NULL))"
        )
    team = _in(context.team)
    return (
        f" AND p.owner_id IN {team}"
        " AND (p.company_id IN (SELECT id FROM customers_company WHERE deleted_at IS NULL"
        f" AND owner_id IN {team}) OR p.contact_id IN (SELECT id FROM customers_contact"
        f" WHERE deleted_at IS NULL AND owner_id IN {team}))"
    )


def project_rows_sql(context, limited: bool, where: str = "", params=()):
    where = _visible(context, limited) + where
    return [(PROJECT_ROWS.format(where=where, limit=PAGE + 1), list(params))]


def project_page_sql(context, limited: bool):
    from bench.requests import timeline_sql

    return [
        (
            "SELECT p.*, co.name, c.full_name, u.full_name FROM projects_project p "
            "LEFT JOIN customers_company co ON co.id = p.company_id "
            "LEFT JOIN customers_contact c ON c.id = p.contact_id "
            "LEFT JOIN users_user u ON u.id = p.owner_id "
            f"WHERE p.id = %s AND p.deleted_at IS NULL{_visible(context, limited)}",
            [context.project],
        ),
        timeline_sql(context.project_type, context.project),
    ]


def benchmarks():
    from bench.requests import Benchmark

    return [
        Benchmark("projects: first page", lambda c, limited: "/projects/", project_rows_sql),
        Benchmark(
            "projects: active, mine",
            lambda c, limited: "/projects/?status=active&owner=me",
            lambda c, limited: project_rows_sql(
                c,
                limited,
                " AND p.status = 'active' AND p.owner_id = %s",
                [(c.limited if limited else c.admin).pk],
            ),
        ),
        Benchmark("project page", lambda c, limited: f"/projects/{c.project}/", project_page_sql),
    ]
