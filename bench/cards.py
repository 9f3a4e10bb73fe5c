"""The pages `bench/requests.py` does not list itself: a contact's and a company's cards
that htmx loads after the record page's first paint (customers.panels), and the Settings
sections (core.navigation: the Settings page, people, roles, pipelines, currencies,
telephony, the desk, the audit trail, backups, jobs, webhooks). Each is timed as the
pages are, beside the bare page; its SQL floor is the rows it shows, read by the same
selectors the page calls (the statements captured once, then timed by themselves): what
is left is the session, the permission checks and the rendering."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from bench.generate import BENCH_COMPANY_ID


def selector_sql(call: Callable[[], object]) -> list[tuple[str, list]]:
    """The statements `call` runs, with their parameters, to be timed as a floor."""
    statements: list[tuple[str, list]] = []

    def captured(execute, sql, params, many, context):
        statements.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(captured):
        call()
    return statements


def _record(record_type: str, pk: int, user):
    from clientela.customers import selectors

    records = (
        selectors.contacts_for(user) if record_type == "contact" else selectors.companies_for(user)
    )
    return records.get(pk=pk)


def _card_rows(name: str, record_type: str, pk: int, user) -> None:
    """What the card `name` reads for the record, through the selectors its tag calls."""
    from clientela.customers import selectors as customers
    from clientela.deals import selectors as deals
    from clientela.deals.templatetags.deals import SHOWN
    from clientela.orders import selectors as orders
    from clientela.projects import selectors as projects
    from clientela.tickets import selectors as tickets

    record = _record(record_type, pk, user)
    if name == "people":
        list(customers.contact_list(user).filter(company=record).order_by("name_key", "id")[:50])
    elif name == "deals":
        deals.customer_deals(user, record, limit=SHOWN + 1)
    elif name == "orders":
        orders.customer_orders(user, record)
        orders.lifetime_values(user, record)
    elif name == "shipments":
        orders.customer_shipments(user, record)
    elif name == "order-files":
        orders.customer_order_files(user, record)
    elif name == "tickets":
        tickets.customer_tickets(user, record)
        tickets.customer_satisfaction(user, record, tickets=True, orders=True)
    elif name == "projects":
        projects.client_projects(user, record)


def _user(context, limited: bool):
    return context.limited if limited else context.admin


def card_benchmarks():
    from bench.requests import Benchmark
    from clientela.customers.panels import PANELS

    found = []
    for record_type, path in (("contact", "contacts"), ("company", "companies")):
        for panel in PANELS.values():
            if record_type not in panel.record_types:
                continue

            def pk(c, record_type=record_type):
                return c.contact if record_type == "contact" else BENCH_COMPANY_ID

            found.append(
                Benchmark(
                    f"{record_type} card: {panel.name}",
                    lambda c, limited, path=path, pk=pk, name=panel.name: (
                        f"/{path}/{pk(c)}/panels/{name}/"
                    ),
                    lambda c, limited, record_type=record_type, pk=pk, name=panel.name: (
                        selector_sql(
                            lambda: _card_rows(name, record_type, pk(c), _user(c, limited))
                        )
                    ),
                    htmx=True,
                )
            )
    return found


def _section_rows(url_name: str, user) -> None:
    """What the Settings section reads for its rows, through the selectors its view calls."""
    from clientela.core import audit, navigation
    from clientela.core.currencies import selectors as currencies
    from clientela.core.telephony import services as telephony
    from clientela.dataio.backups import selectors as backups
    from clientela.deals import selectors as deals
    from clientela.jobs import selectors as jobs
    from clientela.tickets import selectors as desk
    from clientela.users import selectors as users
    from clientela.webhooks import selectors as webhooks

    readers: dict[str, Callable[[], object]] = {
        "workspace:settings": lambda: navigation.sections_for(user),
        "users:people": lambda: (list(users.people()), list(users.teams())),
        "users:roles": lambda: list(users.roles()),
        "deals:pipeline-settings": deals.pipelines,
        "core:currencies": lambda: list(currencies.recent_rates(currencies.base_currency())),
        "core:telephony": telephony.dial_template,
        "tickets:departments": lambda: [
            list(rows)
            for rows in (desk.departments(), desk.rules(), desk.sla_policies(), desk.transitions())
        ],
        "core:audit-trail": lambda: list(audit.trail().order_by("-at", "-id")[:51]),
        "dataio:backups": lambda: (backups.latest_backup(), backups.archive_rows()),
        "jobs:board": lambda: (jobs.board(), jobs.workers()),
        "webhooks:index": lambda: list(webhooks.subscriptions_for(user)),
    }
    readers[url_name]()


def section_benchmarks():
    """The Settings page and each section it links to, as the administrator opens them
    (the settings lists of core.settings_pages are `settings_benchmarks`)."""
    from django.urls import reverse

    from bench.requests import Benchmark
    from clientela.core.navigation import SECTIONS

    names = ["workspace:settings"] + [
        section.url_name for section in SECTIONS if not section.staff_only
    ]
    return [
        Benchmark(
            f"settings section: {name}",
            lambda c, limited, name=name: reverse(name),
            lambda c, limited, name=name: selector_sql(
                lambda: _section_rows(name, _user(c, limited))
            ),
            admin_only=True,
        )
        for name in names
    ]
