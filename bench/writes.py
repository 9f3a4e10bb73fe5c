"""The write benchmarks: creating and editing a contact through the form and through the
API, logging a call, moving a deal, placing an order — each timed as a user or a script
sends it (Django's test Client, the product's own views, services and permission checks),
as the administrator, beside the bare page of the same run. Then what one write costs,
item by item: the audit entry, the events it raises (and the webhook listener reading its
subscriptions), the search entry, and the rest (the form or the API's checks, the rows,
the response)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import auth
from django.db import connection
from django.forms import BaseForm
from django.test import Client

from bench.requests import WARM_UP, _ms, _percentile, database_time
from clientela.api import services as api_services
from clientela.core import audit, custom_fields, events, phones, search
from clientela.customers import detail_views
from clientela.customers import services as customers
from clientela.customers.forms import ContactForm
from clientela.customers.models import Contact, LifecycleStage
from clientela.deals import services as deals
from clientela.deals.models import Deal
from clientela.orders.models import Price, PriceList, Product, Warehouse
from clientela.users.models import User


@dataclass
class Setup:
    """What the writes work on, made once per run through the product's services."""

    user: User
    contact: Contact  # edited through the form and the API, called, ordered for
    deal: Deal  # moved between two stages
    stages: tuple[int, int]
    stage: int  # a contact's first lifecycle stage
    product: str  # the order form's product value: "<id>@<unit price>"
    api: Client
    token_id: int
    run: str  # this run's mark in e-mails and the SKU: a kept database can be run again


def setup(user: User) -> Setup:
    run = f"{time.time_ns():x}"
    contact = customers.create_contact(
        actor=user, data={"full_name": "Bench Writer", "emails": [f"writer.{run}@bench.test"]}
    )
    pipeline = deals.ensure_pipeline()
    first, second = list(pipeline.stages.order_by("position").values_list("pk", flat=True)[:2])
    deal = deals.create_deal(
        actor=user,
        data={"name": "Bench deal", "pipeline": pipeline, "contact": contact, "owner": user},
    )
    price_list = PriceList.objects.filter(is_default=True).first() or PriceList.objects.create(
        name="Bench", currency="RON", is_default=True
    )
    if not Warehouse.objects.exists():
        Warehouse.objects.create(name="Bench", is_default=True)
    product = Product.objects.create(
        sku=f"BENCH-{run}"[:40], name="Bench lamp", allows_backorder=True
    )
    Price.objects.create(price_list=price_list, product=product, unit_price=Decimal("99.90"))
    token, raw = api_services.create_token(
        actor=user, name="Benchmark writes", scopes=["contacts:write"], expires_in_days=1
    )
    return Setup(
        user=user,
        contact=contact,
        deal=deal,
        stages=(first, second),
        stage=LifecycleStage.objects.order_by("position")[0].pk,
        product=f"{product.pk}@99.90",
        api=Client(headers={"Authorization": f"Bearer {raw}"}),
        token_id=token.pk,
        run=run,
    )


def _version(model, pk: int) -> int:
    return model.objects.filter(pk=pk).values_list("version", flat=True).get()


# Each write: (name, expected status, prepare(setup, i) → untimed data, send(client, setup,
# data, i) → response).
Write = tuple[str, int, Callable, Callable]

WRITES: list[Write] = [
    (
        "write: create contact (form)",
        302,
        lambda s, i: None,
        lambda c, s, d, i: c.post(
            "/contacts/new/",
            {
                "full_name": f"Bench Person {i}",
                "emails": f"bench.person.{i}.{s.run}@bench.test",
                # A Bucharest line: the generator's numbers are all mobiles (07…), so the
                # generated people are never suspects; a run before this one on the same
                # database left these numbers, and the user confirms as a user would.
                "phones": f"+40 21 31{i:05d}",
                "confirm_duplicate": "yes",
                "lifecycle_stage": s.stage,
                "source": "manual",
                "owner": s.user.pk,
                "tags": "bench",
            },
        ),
    ),
    (
        "write: edit contact (form)",
        302,
        lambda s, i: _version(Contact, s.contact.pk),
        lambda c, s, version, i: c.post(
            f"/contacts/{s.contact.pk}/edit/",
            {
                "full_name": "Bench Writer",
                "position": f"Buyer {i}",
                "emails": f"writer.{s.run}@bench.test",
                "lifecycle_stage": s.stage,
                "source": "manual",
                "owner": s.user.pk,
                "version": version,
            },
        ),
    ),
    (
        "api: create contact",
        201,
        lambda s, i: None,
        lambda c, s, d, i: s.api.post(
            "/api/v1/contacts/",
            {
                "full_name": f"Api Person {i}",
                "emails": [{"address": f"api.{i}.{s.run}@bench.test"}],
            },
            content_type="application/json",
        ),
    ),
    (
        "api: edit contact",
        200,
        lambda s, i: None,
        lambda c, s, d, i: s.api.patch(
            f"/api/v1/contacts/{s.contact.pk}",
            {"position": f"Api buyer {i}"},
            content_type="application/json",
        ),
    ),
    (
        "write: log a call",
        302,
        lambda s, i: None,
        lambda c, s, d, i: c.post(
            f"/records/contact:{s.contact.pk}/log/",
            {
                "kind": "call",
                "subject": f"Call {i}",
                "direction": "outbound",
                "duration_minutes": 3,
            },
        ),
    ),
    (
        "write: move a deal",
        302,
        lambda s, i: _version(Deal, s.deal.pk),
        lambda c, s, version, i: c.post(
            f"/deals/{s.deal.pk}/move/",
            {"stage": s.stages[i % 2], "version": version, "next": "/deals/"},
        ),
    ),
    (
        "write: place an order",
        302,
        lambda s, i: None,
        lambda c, s, d, i: c.post(
            "/orders/new/",
            {"customer": f"contact:{s.contact.pk}", "product_0": s.product, "quantity_0": 1},
        ),
    ),
]


# What a write costs, item by item ----------------------------------------------------------
class Costs:
    """Time and queries spent inside the wrapped functions, each counted without the
    wrapped calls it makes (audit's own work without the events it raises)."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}  # item → [seconds, queries]
        self.stack: list[list[float]] = []
        self.queries = 0

    def wrap(self, item: str, function: Callable) -> Callable:
        def wrapped(*args, **kwargs):
            frame = [0.0, 0.0]  # time and queries of wrapped calls inside this one
            self.stack.append(frame)
            started, queries = time.perf_counter(), self.queries
            try:
                return function(*args, **kwargs)
            finally:
                self.stack.pop()
                elapsed = time.perf_counter() - started
                counted = self.queries - queries
                total = self.spent.setdefault(item, [0.0, 0.0])
                total[0] += elapsed - frame[0]
                total[1] += counted - frame[1]
                if self.stack:
                    self.stack[-1][0] += elapsed
                    self.stack[-1][1] += counted

        return wrapped

    def count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


@contextmanager
def itemised(costs: Costs) -> Iterator[None]:
    """Wrap the audit, events, webhook listener and search index calls for the block."""
    patched = [
        (audit, "log", "audit"),
        (audit, "log_created", "audit"),
        (events, "dispatch", "events"),
        (search, "index", "search index"),
        (search, "new_entries", "search index"),
        # What the form itself costs: building it (the owners and custom fields it offers),
        # checking what was posted, the phones parsed, the duplicate and company checks.
        (ContactForm, "__init__", "form: building"),
        (BaseForm, "full_clean", "form: validation"),
        (phones, "_read", "phone parsing"),
        (detail_views, "_contact_checks", "duplicate checks"),
        (custom_fields, "definitions", "custom fields"),
        (custom_fields, "clean", "custom fields"),
        (auth, "get_user", "session and user"),
        (customers, "create_contact", "contact rows (service)"),
        (customers, "update_contact", "contact rows (service)"),
    ]
    originals = [(module, name, module.__dict__[name]) for module, name, _item in patched]
    listeners = list(events._LISTENERS)
    write_listeners = list(events._WRITE_LISTENERS)
    for module, name, item in patched:
        setattr(module, name, costs.wrap(item, getattr(module, name)))
    events._LISTENERS[:] = [
        costs.wrap(
            "webhooks" if listener.__module__.startswith("clientela.webhooks") else "listeners",
            listener,
        )
        for listener in listeners
    ]
    events._WRITE_LISTENERS[:] = [
        costs.wrap("write listeners (caches)", listener) for listener in write_listeners
    ]
    try:
        with connection.execute_wrapper(costs.count):
            yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
        events._LISTENERS[:] = listeners
        events._WRITE_LISTENERS[:] = write_listeners


def time_write(client: Client, setup_: Setup, write: Write, repeat: int, start: int) -> dict:
    name, status, prepare, send = write
    costs = Costs()
    wall, database, queries = [], [], []
    for i in range(start, start + WARM_UP + repeat):
        data = prepare(setup_, i)
        timed = i >= start + WARM_UP
        began = time.perf_counter()
        with database_time(database if timed else [], queries if timed else []):
            if timed:
                with itemised(costs):
                    response = send(client, setup_, data, i)
            else:
                response = send(client, setup_, data, i)
        if timed:
            wall.append(time.perf_counter() - began)
        if response.status_code != status:
            context = getattr(response, "context", None) or {}
            form = context.get("form") if hasattr(context, "get") else None
            errors = dict(form.errors) if form is not None else ""
            raise RuntimeError(f"{name} answered {response.status_code}, not {status} {errors}")
    return {
        "name": name,
        "p50_ms": _ms(statistics.median(wall)),
        "p95_ms": _ms(_percentile(wall, 0.95)),
        "db_p50_ms": _ms(statistics.median(database)),
        "queries": max(queries),
        "items": {
            item: {"ms": _ms(seconds / repeat), "queries": round(counted / repeat, 1)}
            for item, (seconds, counted) in sorted(costs.spent.items())
        },
        # The request's time outside every item above: middleware, the view, the redirect
        # and its message, the response.
        "rest_ms": _ms(
            (sum(wall) - sum(seconds for seconds, _queries in costs.spent.values())) / repeat
        ),
    }


def run(admin: User, bare: dict, repeat: int, log: Callable[[str], None]) -> list[dict]:
    """Every write's figures, as the administrator, beside the bare page `bare`."""
    setup_ = setup(admin)
    client = Client()
    client.force_login(admin)
    rows = []
    try:
        for number, write in enumerate(WRITES):
            row = time_write(client, setup_, write, repeat, start=number * 10_000)
            row["bare"] = bare
            rows.append(row)
            log(f"{row['name']}: p95 {row['p95_ms']} ms, {row['queries']} queries")
    finally:
        api_services.revoke_token(actor=admin, token_id=setup_.token_id)
    return rows
