"""Bench tickets: deterministic rows (a pure function of the seed and the ticket id, like
the contacts'), two departments of the bench reps, and the ticket pages' benchmarks with
their hand-written SQL floors. `clientela bench generate --tickets N` writes them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from clientela.core.search import Document

if TYPE_CHECKING:
    from bench.generate import Ids, Plan

SUBJECTS = [
    "The oven does not heat up",
    "Invoice sent twice",
    "Change of delivery address",
    "Refund for returned goods",
    "Machine stopped during production",
    "Training for new staff",
    "Missing parts in the parcel",
    "Password for the portal",
]
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]
CHANNELS = ["web_form", "ui", "api", "email"]
OPEN_STATUSES = ["new", "open", "waiting"]
RECENT = 14 * 86400  # tickets opened in the last two weeks are still being worked on


def ensure_departments(users: list[int]) -> list[int]:
    """Two departments of the bench reps (team A, team B), as any installation's are made."""
    from clientela.tickets import configuration
    from clientela.tickets.models import DEFAULT_HOURS, Department
    from clientela.users.models import User

    if not Department.objects.exists():
        half = len(users) // 2
        for name, members in (("Bench desk A", users[:half]), ("Bench desk B", users[half:])):
            configuration.save_department(
                actor=None,
                department=None,
                name=name,
                lead=None,
                members=list(User.objects.filter(pk__in=members)),
                assignment="round_robin",
                time_zone="UTC",
                hours=DEFAULT_HOURS,
                holidays=[],
            )
    return list(Department.objects.order_by("pk").values_list("pk", flat=True))


def ticket_opened(plan: Plan, n: int) -> datetime.datetime:
    """When ticket `n` was opened (its timers run after it: bench.generate)."""
    from bench import generate as g

    return g.NOW - datetime.timedelta(seconds=g.mix(plan.seed, 61, n) % g.YEARS)


def ticket_rows(plan: Plan, ids: Ids, first: int, last: int) -> dict[str, list]:
    from bench import generate as g

    rows: dict[str, list] = {"ticket": [], "search": []}
    for n in range(first, last + 1):
        contact_id = 1 + g.mix(plan.seed, 60, n) % plan.contacts
        company_id = plan.company_of(contact_id)
        age = g.mix(plan.seed, 61, n) % g.YEARS
        created = ticket_opened(plan, n)
        subject = SUBJECTS[g.mix(plan.seed, 62, n) % len(SUBJECTS)]
        owner = g._owner(plan, ids, 63, n)
        department = ids.departments[0 if owner in ids.users[: len(ids.users) // 2] else -1]
        if age < RECENT:
            status = OPEN_STATUSES[g.mix(plan.seed, 64, n) % len(OPEN_STATUSES)]
        else:
            status = "closed" if g.mix(plan.seed, 64, n) % 3 else "resolved"
        done = status in {"resolved", "closed"}
        answered = done or status != "new"
        given = g.GIVEN[g.mix(plan.seed, 30, contact_id) % len(g.GIVEN)]
        family = g.FAMILY[g.mix(plan.seed, 31, contact_id) % len(g.FAMILY)]
        customer = f"{given} {family}"
        rows["ticket"].append(
            g._record(n, created, created + datetime.timedelta(hours=2), owner, None)
            | {
                "subject": subject,
                "description": f"Request {n}: {subject.lower()}.",
                "contact": contact_id,
                "company": company_id,
                "order": None,
                "deal": None,
                "department": department,
                "priority": PRIORITIES[g.mix(plan.seed, 65, n) % len(PRIORITIES)],
                "status": status,
                "channel": CHANNELS[g.mix(plan.seed, 66, n) % len(CHANNELS)],
                "language": "",
                "tier": "",
                "status_changed_at": g._dt(created + datetime.timedelta(hours=2)),
                "first_responded_at": g._dt(created + datetime.timedelta(hours=1))
                if answered
                else None,
                "resolved_at": g._dt(created + datetime.timedelta(hours=2)) if done else None,
                "first_response_due": g._dt(created + datetime.timedelta(hours=8)),
                "resolution_due": g._dt(created + datetime.timedelta(days=5)),
                "sla_paused_at": None,
            }
        )
        document = Document(
            title=f"#{n} {subject}",
            subtitle=customer,
            parts=[customer],
            owner_id=owner,
        )
        rows["search"].append(g._search_row(ids.ticket_type, n, document))
    return rows


# The benchmarks ------------------------------------------------------------------------------
PAGE = 50

TICKET_ROWS = """
SELECT t.id, t.subject, t.status, t.priority, t.created_at, t.first_response_due,
       t.resolution_due, c.id, c.full_name, co.id, co.name, d.name, u.id, u.full_name
FROM tickets_ticket t
LEFT JOIN customers_contact c ON c.id = t.contact_id
LEFT JOIN customers_company co ON co.id = t.company_id
JOIN tickets_department d ON d.id = t.department_id
LEFT JOIN users_user u ON u.id = t.owner_id
WHERE t.deleted_at IS NULL {where}
ORDER BY t.created_at DESC, t.id DESC
LIMIT {limit}"""


def ticket_rows_sql(context, limited: bool, where: str = "", params=()):
    from bench.requests import _in

    if limited:
        where += f" AND t.owner_id IN {_in(context.team)}"
    return [(TICKET_ROWS.format(where=where, limit=PAGE + 1), list(params))]


def ticket_page_sql(context, limited: bool):
    from bench.requests import _in, timeline_sql

    where = f" AND t.owner_id IN {_in(context.team)}" if limited else ""
    return [
        (
            "SELECT t.*, c.full_name, co.name, d.name, u.full_name FROM tickets_ticket t "
            "LEFT JOIN customers_contact c ON c.id = t.contact_id "
            "LEFT JOIN customers_company co ON co.id = t.company_id "
            "JOIN tickets_department d ON d.id = t.department_id "
            "LEFT JOIN users_user u ON u.id = t.owner_id "
            f"WHERE t.id = %s AND t.deleted_at IS NULL{where}",
            [context.ticket],
        ),
        timeline_sql(context.ticket_type, context.ticket),
    ]


ARTICLE_ROWS = """
SELECT a.id, a.title, a.updated_at, c.name, u.full_name, u.email
FROM tickets_article a
LEFT JOIN tickets_articlecategory c ON c.id = a.category_id
LEFT JOIN users_user u ON u.id = a.owner_id
WHERE a.deleted_at IS NULL {where}
ORDER BY a.title, a.id
LIMIT {limit}"""


def article_rows_sql(context, limited, where: str = "", params=()) -> list[tuple[str, list]]:
    return [(ARTICLE_ROWS.format(where=where, limit=PAGE + 1), list(params))]


def canned_rows_sql(context, limited) -> list[tuple[str, list]]:
    return [
        (
            "SELECT r.id, r.name, r.body, u.full_name FROM tickets_cannedreply r "
            "LEFT JOIN users_user u ON u.id = r.owner_id "
            "WHERE r.deleted_at IS NULL ORDER BY r.name, r.id",
            [],
        )
    ]


def benchmarks():
    from bench.requests import Benchmark

    return [
        Benchmark("tickets: first page", lambda c, limited: "/tickets/", ticket_rows_sql),
        Benchmark(
            "tickets: department, not resolved",
            lambda c, limited: f"/tickets/?status=active&department={c.department}",
            lambda c, limited: ticket_rows_sql(
                c,
                limited,
                " AND t.department_id = %s AND t.status NOT IN ('resolved', 'closed')",
                [c.department],
            ),
        ),
        Benchmark(
            "tickets: assignee filter",
            lambda c, limited: f"/tickets/?assignee={c.owner}",
            lambda c, limited: ticket_rows_sql(c, False, " AND t.owner_id = %s", [c.owner]),
        ),
        Benchmark("ticket page", lambda c, limited: f"/tickets/{c.ticket}/", ticket_page_sql),
        Benchmark(
            "api: tickets first page",
            lambda c, limited: "/api/v1/tickets/",
            ticket_rows_sql,
            api=True,
        ),
        Benchmark("knowledge base: first page", lambda c, limited: "/kb/", article_rows_sql),
        Benchmark(
            "knowledge base: search",
            lambda c, limited: "/kb/?q=oven",
            lambda c, limited: article_rows_sql(
                c,
                limited,
                " AND a.id IN (SELECT object_id FROM core_searchentry s "
                "WHERE s.content_type_id = %s AND s.text LIKE %s)",
                [c.article_type, "%oven%"],
            ),
        ),
        Benchmark("canned replies", lambda c, limited: "/tickets/replies/", canned_rows_sql),
    ]
