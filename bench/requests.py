"""The request benchmarks: each page timed through Django's test Client, as an administrator
and as a team-limited sales rep, beside its floors measured in the same run — a bare
authenticated page, and hand-written SQL returning the same rows. The API's list and
detail are timed here too, called with a personal access token of each role. Import,
export and backup have their own modules beside this one."""

from __future__ import annotations

import datetime
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client

from bench.generate import ADMIN_EMAIL, BENCH_COMPANY_ID, LIMITED_EMAIL, team_emails
from clientela.api import services as api_services
from clientela.api.models import ApiToken
from clientela.core.pagination import keyset_page
from clientela.customers.models import Company, Contact, LifecycleStage
from clientela.projects.models import Project
from clientela.tickets.models import Article, Ticket
from clientela.users.models import User

WARM_UP = 3
PAGE = 50  # the lists' page size (core.listing.PAGE_SIZE)
TIMELINE_PAGE = 25
PALETTE = 8


@dataclass
class Context:
    """Ids the pages and their floors are about, looked up once per run."""

    admin: User
    limited: User
    team: list[int]
    contacts: int
    owner: int
    stage: int
    stage_key: str
    deep_cursor: str
    deep_after: tuple[str, int]
    company: int
    company_type: int
    contact_type: int
    contact: int
    email_term: str
    phone_term: str
    phone_prefix: str
    name_term: str
    surname_term: str
    # The ticket pages' ids, when the database has tickets (bench/tickets.py).
    ticket: int = 0
    ticket_type: int = 0
    department: int = 0
    article_type: int = 0
    article: int = 0  # an article halfway along the knowledge base, when it has articles
    # The project pages' ids, when the database has projects (bench/projects.py).
    project: int = 0
    project_type: int = 0


@dataclass(frozen=True)
class Benchmark:
    name: str
    url: Callable[[Context, bool], str]  # (context, limited) → path and query
    floor: Callable[[Context, bool], list[tuple[str, list]]]  # the SQL giving the same rows
    api: bool = False  # called with the role's API token rather than its browser session
    admin_only: bool = False  # a page the limited rep's role does not open
    htmx: bool = False  # asked as htmx asks it (a card loaded after the page's first paint)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# Hand-written SQL ---------------------------------------------------------------------------
CONTACT_ROWS = """
SELECT c.id, c.full_name, c.email, c.phone, c.updated_at, co.id, co.name, u.id, u.full_name,
       u.email, s.name
FROM customers_contact c
LEFT JOIN customers_company co ON co.id = c.company_id
LEFT JOIN users_user u ON u.id = c.owner_id
JOIN customers_lifecyclestage s ON s.id = c.lifecycle_stage_id
WHERE c.deleted_at IS NULL {where}
ORDER BY c.name_key, c.id
LIMIT {limit}"""


def _in(ids: list[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")"


def contact_rows_sql(context: Context, limited: bool, where: str = "", params=()):
    if limited:
        where += f" AND c.owner_id IN {_in(context.team)}"
    return [(CONTACT_ROWS.format(where=where, limit=PAGE + 1), list(params))]


def timeline_sql(content_type: int, object_id: int) -> tuple[str, list]:
    return (
        "SELECT a.id, a.kind, a.subject, a.body, a.occurred_at, u.full_name "
        "FROM activities_timelinelink l JOIN activities_activity a ON a.id = l.activity_id "
        "LEFT JOIN users_user u ON u.id = a.author_id "
        "WHERE l.content_type_id = %s AND l.object_id = %s "
        f"ORDER BY l.occurred_at DESC, l.activity_id DESC LIMIT {TIMELINE_PAGE + 1}",
        [content_type, object_id],
    )


def team_tasks_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    """The team task list's rows for the administrator, who oversees everyone: open tasks,
    the undated last, with their assignees."""
    return [
        (
            "SELECT t.id, t.title, t.due_at, t.priority, t.content_type_id, t.object_id, "
            "u.full_name FROM activities_task t JOIN users_user u ON u.id = t.assignee_id "
            "WHERE t.done_at IS NULL AND u.is_active "
            f"ORDER BY COALESCE(t.due_at, %s), t.id LIMIT {PAGE + 1}",
            [datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)],
        )
    ]


def time_entries_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    """The API's time entries, newest first: everyone's for the administrator, who
    oversees everyone; the representative's own."""
    who = f"WHERE e.user_id = {int(context.limited.pk)} " if limited else ""
    return [
        (
            "SELECT e.id, e.user_id, e.kind, e.task_id, e.content_type_id, e.object_id, "
            "e.activity_id, e.started_at, e.stopped_at, e.seconds FROM activities_timeentry e "
            f"{who}ORDER BY e.started_at DESC, e.id DESC LIMIT {PAGE + 1}",
            [],
        )
    ]


def search_sql(term: str, *, prefix: bool) -> list[tuple[str, list]]:
    """The best possible answer: a title-prefix range on its index, else a substring match
    on the trigram index, a palette's worth of rows."""
    columns = "SELECT id, content_type_id, object_id, title, subtitle FROM core_searchentry"
    if prefix:
        return [
            (
                f"{columns} WHERE title_key >= %s AND title_key < %s "
                f"ORDER BY title_key, id LIMIT {PALETTE}",
                [term, term + "\uffff"],
            )
        ]
    if connection.vendor == "sqlite":
        return [
            (
                f"{columns} WHERE id IN (SELECT rowid FROM core_search_fts "
                f"WHERE core_search_fts.text LIKE %s) LIMIT {PALETTE}",
                [f"%{term}%"],
            )
        ]
    return [(f"{columns} WHERE text LIKE %s LIMIT {PALETTE}", [f"%{term}%"])]


def phone_search_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    """The records whose numbers start with the digits typed: one range of the numbers'
    E.164 index, in its order, each number's search entry through the entries' unique
    index."""
    prefix = context.phone_prefix
    head = prefix.rstrip("9")
    return [
        (
            "SELECT e.id, e.content_type_id, e.object_id, e.title, e.subtitle "
            "FROM customers_phonenumber p JOIN core_searchentry e "
            "ON e.content_type_id = CASE WHEN p.contact_id IS NULL THEN %s ELSE %s END "
            "AND e.object_id = COALESCE(p.contact_id, p.company_id) "
            f"WHERE p.e164 >= %s AND p.e164 < %s ORDER BY p.e164 LIMIT {PALETTE}",
            [
                context.company_type,
                context.contact_type,
                prefix,
                head[:-1] + chr(ord(head[-1]) + 1),
            ],
        )
    ]


def contact_record_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    """One contact with its e-mails, phones, addresses and tags: what the detail page and
    the API's detail read before anything else."""
    where = " AND c.owner_id IN " + _in(context.team) if limited else ""
    return [
        (
            "SELECT c.*, co.name, u.full_name, s.name FROM customers_contact c "
            "LEFT JOIN customers_company co ON co.id = c.company_id "
            "LEFT JOIN users_user u ON u.id = c.owner_id "
            "JOIN customers_lifecyclestage s ON s.id = c.lifecycle_stage_id "
            f"WHERE c.id = %s AND c.deleted_at IS NULL{where}",
            [context.contact],
        ),
        (
            "SELECT * FROM customers_emailaddress WHERE contact_id = %s",
            [context.contact],
        ),
        (
            "SELECT * FROM customers_phonenumber WHERE contact_id = %s",
            [context.contact],
        ),
        (
            "SELECT * FROM customers_address WHERE contact_id = %s",
            [context.contact],
        ),
        (
            "SELECT t.* FROM customers_tag t JOIN customers_contact_tags ct ON ct.tag_id = t.id "
            "WHERE ct.contact_id = %s",
            [context.contact],
        ),
    ]


def contact_detail_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    return [
        *contact_record_sql(context, limited),
        timeline_sql(context.contact_type, context.contact),
    ]


def company_page_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    where = " AND c.owner_id IN " + _in(context.team) if limited else ""
    return [
        (
            "SELECT * FROM customers_company WHERE id = %s AND deleted_at IS NULL",
            [context.company],
        ),
        timeline_sql(context.company_type, context.company),
        (
            "SELECT c.id, c.full_name, c.email FROM customers_contact c "
            f"WHERE c.company_id = %s AND c.deleted_at IS NULL{where} "
            f"ORDER BY c.name_key, c.id LIMIT {PAGE}",
            [context.company],
        ),
    ]


def _list_url(limited: bool, context: Context, **query) -> str:
    # The limited rep's lists are narrowed by their role's team scope, as in the product.
    return "/contacts/" + ("?" + urlencode(query) if query else "")


def first_page_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    return contact_rows_sql(context, limited)


def deep_page_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    return contact_rows_sql(
        context, limited, " AND (c.name_key, c.id) > (%s, %s)", context.deep_after
    )


def stage_filter_sql(context: Context, limited: bool) -> list[tuple[str, list]]:
    return contact_rows_sql(context, limited, " AND c.lifecycle_stage_id = %s", [context.stage])


def search_filter_sql(term: str):
    """The list narrowed by a term, as hand-written SQL: the contacts whose search entry
    holds it (through the trigram index of each database), in the list's order."""

    def floor(context: Context, limited: bool) -> list[tuple[str, list]]:
        if connection.vendor == "sqlite":
            holds = "id IN (SELECT rowid FROM core_search_fts WHERE core_search_fts.text LIKE %s)"
        else:
            holds = "text LIKE %s"
        where = (
            " AND c.id IN (SELECT object_id FROM core_searchentry "
            f"WHERE content_type_id = %s AND {holds})"
        )
        return contact_rows_sql(
            context, limited, where, [context.contact_type, f"%{getattr(context, term)}%"]
        )

    return floor


BENCHMARKS = [
    Benchmark(
        "contacts: first page",
        lambda c, limited: _list_url(limited, c),
        first_page_sql,
    ),
    Benchmark(
        "contacts: deep page (keyset)",
        lambda c, limited: _list_url(limited, c, after=c.deep_cursor),
        deep_page_sql,
    ),
    Benchmark(
        "contacts: owner filter",
        lambda c, limited: "/contacts/?" + urlencode({"owner": c.owner}),
        lambda c, limited: contact_rows_sql(c, False, " AND c.owner_id = %s", [c.owner]),
    ),
    Benchmark(
        "contacts: stage filter",
        lambda c, limited: _list_url(limited, c, stage=c.stage_key),
        stage_filter_sql,
    ),
    # The list narrowed by its search box: a term a few people match (part of an e-mail),
    # and a surname about 1% of people have (9,297 of 1M).
    *(
        Benchmark(
            f"contacts: search filter, {what}",
            lambda c, limited, term=term: _list_url(limited, c, q=getattr(c, term)),
            search_filter_sql(term),
        )
        for what, term in [("rare term", "email_term"), ("common surname", "surname_term")]
    ),
    # "+ New" → Order: the customer is found first, by the lists' search (ten of each).
    *(
        Benchmark(
            f"new order: customer by {what}",
            lambda c, limited, term=term: (
                "/orders/new/customer/?" + urlencode({"q": getattr(c, term)})
            ),
            search_filter_sql(term),
        )
        for what, term in [("rare term", "email_term"), ("common surname", "surname_term")]
    ),
    Benchmark(
        "company page, 1,000 entries",
        lambda c, limited: f"/companies/{c.company}/",
        company_page_sql,
    ),
    *(
        Benchmark(
            f"search: {what}",
            lambda c, limited, term=term: "/search/palette/?" + urlencode({"q": getattr(c, term)}),
            lambda c, limited, floor_term=floor_term, prefix=prefix: search_sql(
                getattr(c, floor_term), prefix=prefix
            ),
        )
        for what, term, floor_term, prefix in [
            ("name prefix", "name_term", "name_term", True),
            ("e-mail substring", "email_term", "email_term", False),
        ]
    ),
    Benchmark(
        "team tasks: first page",
        lambda c, limited: "/tasks/team/",
        team_tasks_sql,
        admin_only=True,
    ),
    Benchmark(
        "search: phone digits",
        lambda c, limited: "/search/palette/?" + urlencode({"q": c.phone_term}),
        phone_search_sql,
    ),
    Benchmark(
        "contact detail",
        lambda c, limited: f"/contacts/{c.contact}/",
        contact_detail_sql,
    ),
    # The API: the same selector, filters and keyset cursor as the list page (its default
    # sort is the page's), so the same floors; the page size is the API's default, 50.
    Benchmark(
        "api: contacts first page",
        lambda c, limited: "/api/v1/contacts/",
        first_page_sql,
        api=True,
    ),
    Benchmark(
        "api: contacts deep page (cursor)",
        lambda c, limited: "/api/v1/contacts/?" + urlencode({"cursor": c.deep_cursor}),
        deep_page_sql,
        api=True,
    ),
    Benchmark(
        "api: contacts stage filter",
        lambda c, limited: "/api/v1/contacts/?" + urlencode({"stage": c.stage_key}),
        stage_filter_sql,
        api=True,
    ),
    Benchmark(
        "api: time entries first page",
        lambda c, limited: "/api/v1/time-entries/",
        time_entries_sql,
        api=True,
    ),
    Benchmark(
        "api: contact detail",
        lambda c, limited: f"/api/v1/contacts/{c.contact}",
        contact_record_sql,
        api=True,
    ),
]


def settings_list_sql(key: str) -> list[tuple[str, list]]:
    """A settings list's floor: its first page's rows, the one query the page cannot do
    without (core.settings_pages)."""
    from clientela.core.settings_pages import PAGES
    from clientela.core.settings_views import PAGE_SIZE

    page = PAGES[key]
    rows = (
        page.model._default_manager.order_by("pk")[:1]
        if page.single is not None
        else page.rows().order_by(*page.ordering)[: PAGE_SIZE + 1]
    )
    sql, params = rows.query.sql_with_params()
    return [(sql, list(params))]


def settings_benchmarks() -> list[Benchmark]:
    """Every settings list, as the administrator opens it."""
    from clientela.core.settings_pages import PAGES

    return [
        Benchmark(
            f"settings: {key}",
            lambda c, limited, key=key: f"/settings/{key}/",
            lambda c, limited, key=key: settings_list_sql(key),
            admin_only=True,
        )
        for key in PAGES
    ]


def benchmarks(ctx: Context) -> list[Benchmark]:
    """Every page's benchmark; the ticket pages' when the database has tickets, the
    article page's when it has articles."""
    from bench import cards, dashboards, imports, mail, projects, tickets

    return (
        BENCHMARKS
        + cards.card_benchmarks()
        + dashboards.benchmarks()
        + mail.benchmarks()
        + imports.benchmarks()
        + (tickets.benchmarks() if ctx.ticket else [])
        + (tickets.article_benchmarks() if ctx.article else [])
        + (projects.benchmarks() if ctx.project else [])
        + settings_benchmarks()
        + cards.section_benchmarks()
    )


# Measuring ----------------------------------------------------------------------------------
@contextmanager
def database_time(totals: list[float], counts: list[int]):
    """Adds the time spent in the database driver and the number of queries of the block."""
    spent = [0.0, 0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    with connection.execute_wrapper(timed):
        yield
    totals.append(spent[0])
    counts.append(spent[1])


def time_request(client: Client, url: str, repeat: int, *, htmx: bool = False) -> dict:
    headers = {"HX-Request": "true"} if htmx else {}

    def checked(response):
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    for _ in range(WARM_UP):
        checked(client.get(url, headers=headers))
    wall, database, queries = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        with database_time(database, queries):
            response = client.get(url, headers=headers)
        wall.append(time.perf_counter() - started)
        checked(response)
    return {
        "p50_ms": _ms(statistics.median(wall)),
        "p95_ms": _ms(_percentile(wall, 0.95)),
        "db_p50_ms": _ms(statistics.median(database)),
        "queries": max(queries),
    }


def time_sql(statements: list[tuple[str, list]], repeat: int) -> dict:
    def once() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        return time.perf_counter() - started

    for _ in range(WARM_UP):
        once()
    runs = [once() for _ in range(repeat)]
    return {
        "p50_ms": _ms(statistics.median(runs)),
        "p95_ms": _ms(_percentile(runs, 0.95)),
        "queries": len(statements),
    }


def api_client(user) -> tuple[Client, ApiToken]:
    """A client calling as `user` with a new read token from the product's token service,
    sending no session cookie: as a script would."""
    token, raw = api_services.create_token(
        actor=user,
        name="Benchmark",
        scopes=["contacts:read", "tickets:read", "time-entries:read"],
        expires_in_days=1,
    )
    # A token notes its last use with one UPDATE at most once a minute; dated an hour
    # ahead, it never does so inside a timed request and makes that one's count jump.
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    )
    return Client(headers={"Authorization": f"Bearer {raw}"}), token


def context() -> Context:
    admin = User.objects.get(email=ADMIN_EMAIL)
    limited = User.objects.get(email=LIMITED_EMAIL)
    team = list(User.objects.filter(email__in=team_emails()).values_list("pk", flat=True))
    contacts = Contact.objects.filter(deleted_at__isnull=True)
    # A deep page: the page after the row halfway through the list, reached through the
    # product's own keyset cursor (finding that row with OFFSET is setup, not measured).
    total = Contact.objects.order_by("-id").values_list("id", flat=True).first()
    middle = contacts.order_by("name_key", "id").values_list("name_key", "id")[total // 2]
    first_deep = keyset_page(
        contacts.filter(name_key__gte=middle[0]), ["name_key", "id"], None, PAGE
    )
    last = first_deep.items[-1]
    probe = Contact.objects.filter(pk=total // 3).values("email", "phone").get()
    digits = probe["phone"].lstrip("+")[-9:]
    stage = LifecycleStage.objects.order_by("position")[1]
    # A ticket both roles see (the limited rep's team's), in the middle of the list.
    ticket = (
        Ticket.objects.filter(owner_id__in=team, deleted_at__isnull=True)
        .order_by("-created_at", "-id")
        .values("pk", "department_id")[PAGE * 100 : PAGE * 100 + 1]
    )
    found = next(iter(ticket), None) or next(
        iter(Ticket.objects.filter(owner_id__in=team).values("pk", "department_id")[:1]), None
    )
    # A project both roles see (of the limited rep's team's company), mid-list.
    project = (
        Project.objects.filter(owner_id__in=team, deleted_at__isnull=True)
        .order_by("name_key", "id")
        .values_list("pk", flat=True)
    )
    project_count = Project.objects.filter(owner_id__in=team).count()
    project_id = next(iter(project[project_count // 2 : project_count // 2 + 1]), 0)
    articles = Article.objects.filter(deleted_at__isnull=True).order_by("title", "id")
    article = articles.values_list("pk", flat=True)[articles.count() // 2 :][:1]
    return Context(
        admin=admin,
        limited=limited,
        team=team,
        contacts=total,
        owner=team[1],
        stage=stage.pk,
        stage_key=stage.key,
        deep_cursor=first_deep.next_cursor,
        deep_after=(last.name_key, last.pk),
        company=BENCH_COMPANY_ID,
        company_type=ContentType.objects.get_for_model(Company).pk,
        contact_type=ContentType.objects.get_for_model(Contact).pk,
        contact=1,
        email_term=probe["email"].split("@")[0][-9:],
        phone_term=f"0{digits[:3]} {digits[3:6]}",
        # What "0722 123" is the start of: the number's country code and those digits.
        phone_prefix=probe["phone"][:-9] + digits[:6],
        name_term="andr",
        surname_term="moreno",
        ticket=found["pk"] if found else 0,
        ticket_type=ContentType.objects.get_for_model(Ticket).pk,
        department=found["department_id"] if found else 0,
        article_type=ContentType.objects.get_for_model(Article).pk,
        article=next(iter(article), 0),
        project=project_id,
        project_type=ContentType.objects.get_for_model(Project).pk,
    )


def machine() -> dict:
    import os

    with open("/proc/meminfo") as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            version = sqlite3.sqlite_version
        else:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "database_version": version,
    }


def run_all(*, repeat: int, log: Callable[[str], None], only: str = "") -> dict:
    """Every page's figures, then the forecast's back-test and the writes; with `only`,
    just the pages whose name holds it (a quick look at a few pages, not `make bench`)."""
    ctx = context()
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": connection.vendor},
        "machine": machine(),
        "contacts": ctx.contacts,
        "tickets": Ticket.objects.count() if ctx.ticket else 0,
        "repeat": repeat,
        "requests": [],
        "notes": [
            "limited user: a sales representative whose role sees its team's records "
            "(team A: 10 of 20 reps, about half the records); the product's permission "
            "filter narrows every list, search and page; the SQL floors carry the same "
            "owner predicate for lists and pages",
            "api: called with a personal access token (contacts:read) of the same user, no "
            "session; its floors are the list's and the detail's",
        ],
    }
    result["database"]["version"] = result["machine"].pop("database_version")
    bares = {}
    for role, user, limited in [
        ("admin", ctx.admin, False),
        ("limited", ctx.limited, True),
    ]:
        client = Client()
        client.force_login(user)
        api, token = api_client(user)
        bare = bares[role] = time_request(client, "/bench/bare/", repeat)
        log(f"{role}: bare page p95 {bare['p95_ms']} ms")
        for benchmark in benchmarks(ctx):
            if (benchmark.admin_only and limited) or only not in benchmark.name:
                continue
            url = benchmark.url(ctx, limited)
            figures = time_request(
                api if benchmark.api else client, url, repeat, htmx=benchmark.htmx
            )
            floor = time_sql(benchmark.floor(ctx, limited), repeat)
            result["requests"].append(
                {
                    "name": benchmark.name,
                    "role": role,
                    "url": url,
                    **figures,
                    "bare": bare,
                }
                | {"sql_floor": floor}
            )
            log(f"{role}: {benchmark.name}: p95 {figures['p95_ms']} ms")
        api_services.revoke_token(actor=user, token_id=token.pk)
    if only:
        return result
    from bench import dashboards

    result["forecast_backtest"] = dashboards.backtest(ctx)
    # Last: the writes add contacts, calls and orders, which the pages above do not meet.
    from bench import writes

    result["writes"] = writes.run(ctx.admin, bares["admin"], repeat, log)
    return result
