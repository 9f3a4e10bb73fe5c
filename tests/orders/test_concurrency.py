"""Real threads, each with its own database connection, racing on the same rows: the last
unit goes to exactly one order, and invoice numbers have no gaps and no repeats. Runs on
whichever database the suite runs on (scripts/test runs it on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from clientela.orders import invoicing, services, stock
from clientela.orders.models import Invoice, Order, StockLevel
from tests.orders.conftest import build_shop

THREADS = 6


def race(work, count: int) -> list:
    """Run work(i) in `count` threads started together; each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_orders_racing_for_the_last_unit_exactly_one_wins(user):
    shop = build_shop(user)  # one standing desk in stock
    results = race(
        lambda i: services.create_order_for_customer(
            actor=user, customer=shop["contact"], lines=[{"product": shop["desk"], "quantity": 1}]
        ),
        THREADS,
    )
    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1, results
    assert len(lost) == THREADS - 1, results
    assert all("Only 0 of Standing desk available" in str(e) for e in lost)
    level = StockLevel.objects.get(product=shop["desk"])
    assert (level.on_hand, level.reserved) == (1, 1)
    assert Order.objects.count() == 1  # the losers left nothing half-written


@pytest.mark.django_db(transaction=True)
def test_many_orders_share_the_stock_without_overselling(user):
    shop = build_shop(user)
    # Four desks; six orders of one each.
    stock.receive(actor=None, product=shop["desk"], warehouse=shop["warehouse"], quantity=3)
    results = race(
        lambda i: services.create_order_for_customer(
            actor=user, customer=shop["company"], lines=[{"product": shop["desk"], "quantity": 1}]
        ),
        THREADS,
    )
    assert sum(isinstance(r, Order) for r in results) == 4, results
    assert StockLevel.objects.get(product=shop["desk"]).reserved == 4


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_have_no_gaps_under_concurrency(user):
    shop = build_shop(user)
    orders = [
        services.create_order_for_customer(
            actor=user, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
        )
        for _ in range(THREADS)
    ]

    def issue(i):
        with transaction.atomic():
            invoice = invoicing.issue_invoice(actor=user, order=orders[i])
            if i == 0:
                raise RuntimeError("the printer jammed")  # rolled back: gives its number back
        return invoice

    results = race(issue, THREADS)
    assert sum(isinstance(r, Invoice) for r in results) == THREADS - 1, results
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, THREADS)), numbers
    assert sorted(Invoice.objects.values_list("number", flat=True))[0] == "INV-000001"
