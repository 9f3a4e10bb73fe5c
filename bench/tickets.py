"""Bench tickets: deterministic rows (a pure function of the seed and the ticket id, like
the contacts'), two departments of the bench reps, and the ticket pages' benchmarks with
their hand-written SQL floors. `clientela bench generate --tickets N` writes them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from clientela.core.search import Document
from clientela.tickets.apps import article_document

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


# The knowledge base: a few thousand articles on shelves, as a desk that has answered these
# tickets for years would have written. One in eight is about the ovens of the first
# subject, so the knowledge base's search ("oven") finds hundreds of articles among the
# 100,000s of tickets and contacts whose entries hold the word too.
ARTICLES = 3000
CATEGORIES = [
    "Heating and ovens",
    "Billing",
    "Delivery",
    "Returns and refunds",
    "Machines",
    "Training",
    "Parcels",
    "Accounts and passwords",
    "Warranty",
    "Spare parts",
    "Installation",
    "Contracts",
]
ARTICLE_TOPICS = [
    ("How to reset the oven thermostat", 0),
    ("Correcting an invoice sent twice", 1),
    ("Changing a delivery address after dispatch", 2),
    ("Refunds for returned goods", 3),
    ("Restarting a machine after an emergency stop", 4),
    ("Booking a training session", 5),
    ("Parts missing from a parcel", 6),
    ("Resetting a portal password", 7),
]
ARTICLE_ASPECTS = ["first steps", "for resellers", "checklist", "questions customers ask"]


def ensure_categories() -> list[int]:
    """The knowledge base's shelves, made through its service like any installation's."""
    from clientela.tickets import knowledge
    from clientela.tickets.models import ArticleCategory

    for name in CATEGORIES:
        if not ArticleCategory.objects.filter(name=name).exists():
            knowledge.create_category(actor=None, name=name)
    named = dict(ArticleCategory.objects.values_list("name", "pk"))
    return [named[name] for name in CATEGORIES]


def article_rows(
    plan: Plan, ids: Ids, categories: list[int], first: int, last: int
) -> dict[str, list]:
    """Articles first..last, each on the shelf of its topic (or, one in four, of a shelf
    of the same kind further on), written by one of the reps or by nobody."""
    from bench import generate as g

    rows: dict[str, list] = {"article": [], "search": []}
    for n in range(first, last + 1):
        topic, shelf = ARTICLE_TOPICS[g.mix(plan.seed, 80, n) % len(ARTICLE_TOPICS)]
        if g.mix(plan.seed, 81, n) % 4 == 0:
            shelf = len(ARTICLE_TOPICS) + g.mix(plan.seed, 82, n) % (
                len(CATEGORIES) - len(ARTICLE_TOPICS)
            )
        aspect = ARTICLE_ASPECTS[g.mix(plan.seed, 83, n) % len(ARTICLE_ASPECTS)]
        title = f"{topic}: {aspect} ({n})"
        body = (
            f"{topic}. Ask for the order number and the model, then follow these steps. "
            f"Note {n}: if the steps do not help, pass the ticket to the second line."
        )
        owner = g._owner(plan, ids, 84, n)
        created, updated = g._record_times(plan, 85, n)
        rows["article"].append(
            g._record(n, created, updated, owner, None)
            | {"title": title, "category": categories[shelf], "body": body}
        )
        shown = SimpleNamespace(
            title=title,
            category_id=categories[shelf],
            category=SimpleNamespace(name=CATEGORIES[shelf]),
            body=body,
            owner_id=owner,
        )
        document = article_document(shown)  # what the product indexes for an article
        rows["search"].append(g._search_row(ids.article_type, n, document))
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


def suggestions_sql(context) -> tuple[str, list]:
    """The five articles holding most of the ticket's words (its longest, as the page
    picks them): each live article's entry read by the type, every word compared."""
    from clientela.tickets.models import Ticket
    from clientela.tickets.selectors import ticket_words

    patterns = [f"%{word}%" for word in ticket_words(Ticket.objects.get(pk=context.ticket))]
    score = " + ".join(["CASE WHEN s.text LIKE %s THEN 1 ELSE 0 END"] * len(patterns)) or "0"
    holds = " OR ".join(["s.text LIKE %s"] * len(patterns)) or "FALSE"
    return (
        f"SELECT s.object_id, s.title, s.subtitle, {score} AS score FROM core_searchentry s "
        "JOIN tickets_article a ON a.id = s.object_id AND a.deleted_at IS NULL "
        f"WHERE s.content_type_id = %s AND ({holds}) "
        "ORDER BY score DESC, s.title_key, s.id LIMIT 5",
        [*patterns, context.article_type, *patterns],
    )


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
        suggestions_sql(context),
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


def article_page_sql(context, limited) -> list[tuple[str, list]]:
    """An article with its shelf and writer, its last ten versions, and how many tickets
    used it: what the article page shows (every role may read the knowledge base)."""
    return [
        (
            "SELECT a.*, c.name, u.full_name, u.email FROM tickets_article a "
            "LEFT JOIN tickets_articlecategory c ON c.id = a.category_id "
            "LEFT JOIN users_user u ON u.id = a.owner_id "
            "WHERE a.id = %s AND a.deleted_at IS NULL",
            [context.article],
        ),
        (
            "SELECT e.*, u.full_name FROM core_auditentry e "
            "LEFT JOIN users_user u ON u.id = e.actor_id "
            "WHERE e.content_type_id = %s AND e.object_id = %s "
            "ORDER BY e.at DESC, e.id DESC LIMIT 10",
            [context.article_type, context.article],
        ),
        (
            "SELECT COUNT(*) FROM tickets_ticketarticle WHERE article_id = %s",
            [context.article],
        ),
    ]


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


def article_benchmarks():
    from bench.requests import Benchmark

    return [
        Benchmark(
            "knowledge base: article page",
            lambda c, limited: f"/kb/{c.article}/",
            article_page_sql,
        )
    ]
