"""Timeline entries and tasks written a batch at a time: the records the rows name looked up
once per batch and the new entries inserted together (as contacts are), while every rule
of the row-by-row path still holds: the same checks, the timelines and last-activity dates,
one audit entry per record from the import, the bell for a task given to a colleague, a
second row with the same ID updating the first, and undo."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.activities.models import Activity, Task, TimelineLink
from clientela.core.models import AuditEntry, AuditSource
from clientela.customers import services as customer_services
from clientela.customers.models import Contact
from clientela.dataio.importing import services
from clientela.notifications.models import Notification
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_BATCH_ROWS = 100
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def people(admin):
    company = customer_services.create_company(actor=admin, data={"name": "Lactate Sud SRL"})
    return [
        customer_services.create_contact(
            actor=admin,
            data={
                "full_name": f"Client {i}",
                "emails": [f"c{i}@lactatesud.ro"],
                "company": company,
            },
        )
        for i in range(30)
    ]


def _activities(rows: int, first: int = 0) -> bytes:
    return csv_bytes(
        [["Activity ID", "Type", "Subject", "Notes", "Date", "Contact Email"]]
        + [
            [f"a{first + i}", "Call" if i % 2 else "Note", "Offer", f"Said {i}", "2026-02-03 10:15", f"c{i}@lactatesud.ro"]
            for i in range(rows)
        ]
    )  # fmt: skip


def _tasks(rows: int, first: int = 0) -> bytes:
    return csv_bytes(
        [["Task ID", "Subject", "Due Date", "Assigned To", "Contact Email", "Status"]]
        + [
            [f"t{first + i}", f"Offer {i}", "2026-04-01", "admin@firma.ro", f"c{i}@lactatesud.ro", "Open"]
            for i in range(rows)
        ]
    )  # fmt: skip


def _queries(admin, data: bytes, record_type: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        run = import_file(admin, data, f"{record_type}.csv", record_type=record_type)
    assert run.status == "done", run.error
    return len(queries)


@pytest.mark.parametrize("record_type, file", [("activity", _activities), ("task", _tasks)])
def test_a_batch_costs_the_same_queries_for_5_rows_as_for_30(admin, people, record_type, file):
    few = _queries(admin, file(5), record_type)
    many = _queries(admin, file(30, first=100), record_type)
    assert many <= few  # the first import also reads what stays cached (content types)


def test_timeline_entries_of_a_batch_keep_every_rule_of_one_entry(admin, people):
    maria, ion = people[0], people[1]
    data = csv_bytes(
        [
            ["Activity ID", "Type", "Subject", "Notes", "Date", "Contact Email"],
            ["a1", "Note", "", "Pays late", "2026-02-01 09:00", maria.email],
            ["a2", "Call", "Offer", "Wants 40", "2026-02-03 10:15", ion.email],
            ["a3", "Note", "", "", "2026-02-04 10:15", ion.email],  # a note needs its text
            ["a1", "Note", "", "Pays on time now", "2026-02-05 09:00", maria.email],
        ]
    )
    run = import_file(admin, data, "activities.csv", record_type="activity", mode="update")
    assert (run.created, run.updated, run.rejected) == (2, 1, 1), run.error
    assert run.rejections.get().reason == "A note needs its text."
    note = Activity.objects.get(kind="note")
    assert note.body == "Pays on time now"  # the second a1 updated the first, not a copy
    call = Activity.objects.get(kind="call")
    # On the contact's timeline and on its company's, as one typed in would be.
    assert TimelineLink.objects.filter(activity=call).count() == 2
    ion.refresh_from_db()
    maria.refresh_from_db()
    assert ion.last_contacted_at == call.occurred_at == ion.last_activity_at
    assert maria.last_activity_at is not None and maria.last_contacted_at is None  # a note
    created = AuditEntry.objects.filter(
        action="create",
        content_type=ContentType.objects.get_for_model(Activity),
        object_id__in=[note.pk, call.pk],
    )
    assert {entry.source for entry in created} == {AuditSource.IMPORT}
    assert created.count() == 2
    services.undo(actor=admin, run=run)
    assert not Activity.objects.filter(kind__in=["call", "note"]).exists()


def test_tasks_of_a_batch_are_audited_done_and_told_to_their_assignee(admin, people):
    radu = create_user(email="radu@firma.ro", full_name="Radu Vânzări", administrator=True)
    data = csv_bytes(
        [
            ["Task ID", "Subject", "Due Date", "Assigned To", "Contact Email", "Status"],
            ["t1", "Send the offer", "2026-04-01", "radu@firma.ro", people[0].email, "Completed"],
            ["t2", "Call back", "", "admin@firma.ro", "nobody@else.ro", "Open"],
        ]
    )
    run = import_file(admin, data, "tasks.csv", record_type="task")
    assert (run.created, run.rejected, run.warned) == (2, 0, 1)
    offer = Task.objects.get(title="Send the offer")
    assert offer.assignee == radu and offer.done_at is not None and offer.object_id == people[0].pk
    alone = Task.objects.get(title="Call back")
    assert alone.object_id is None  # the contact it names is not there: stored alone
    assert "nobody@else.ro" in run.notes.get(kind="warning").message
    assert Notification.objects.filter(user=radu, title__contains="Send the offer").count() == 1
    entry = AuditEntry.objects.get(
        action="create", content_type=ContentType.objects.get_for_model(Task), object_id=offer.pk
    )
    assert entry.source == AuditSource.IMPORT
    assert entry.changes["done_at"][1] is not None
    services.undo(actor=admin, run=run)
    assert not Task.objects.exists()
    assert Contact.objects.count() == 30


def _orders(rows: int, first: int = 0) -> bytes:
    """Orders of two lines each (one priced in the file, one from the price list), for
    the batch's contacts, half of them placed."""
    body = []
    for i in range(rows):
        email, number = f"c{i % 30}@lactatesud.ro", f"SO-{first + i}"
        placed = "2026-03-01" if i % 2 else ""
        body.append([number, email, "BT-1", "2", "9.50", placed])
        body.append([number, email, "BT-2", "1", "", placed])
    return csv_bytes(
        [["Order Number", "Customer Email", "SKU", "Quantity", "Unit Price", "Date"], *body]
    )


@pytest.fixture
def catalogue(admin):
    from clientela.orders.models import Price, PriceList, Product, Warehouse

    price_list = PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    Warehouse.objects.create(name="Depozit", is_default=True)
    for sku, price in (("BT-1", "10"), ("BT-2", "4.50")):
        product = Product.objects.create(sku=sku, name=f"Produs {sku}", tax_rate=19)
        Price.objects.create(price_list=price_list, product=product, unit_price=price)


def test_an_orders_batch_costs_the_same_queries_for_10_rows_as_for_50(
    admin, people, catalogue, settings
):
    settings.IMPORT_BATCH_ROWS = 200
    few = _queries(admin, _orders(5), "order")  # two rows (lines) an order
    many = _queries(admin, _orders(25, first=100), "order")
    assert many <= few  # the first import also reads what stays cached (content types)


def test_orders_of_a_batch_keep_every_rule_of_one_order(admin, people, catalogue):
    from decimal import Decimal

    from clientela.orders.models import Order

    run = import_file(admin, _orders(4), "orders.csv", record_type="order")
    assert (run.created, run.rejected) == (4, 0), list(run.rejections.values("reason"))
    placed = Order.objects.get(notes__contains="SO-1")
    quote = Order.objects.get(notes__contains="SO-0")
    assert placed.placed_at.date().isoformat() == "2026-03-01" and not placed.is_quote
    assert quote.is_quote and quote.stage.key == "quote"
    # The file's price kept as agreed, the other line priced from the list, totals in step.
    lines = list(placed.lines.order_by("position").values_list("unit_price", "quantity"))
    assert lines == [(Decimal("9.50"), 2), (Decimal("4.50"), 1)]
    assert (placed.net_total, placed.tax_total, placed.total) == (
        Decimal("23.50"),
        Decimal("4.47"),
        Decimal("27.97"),
    )
    assert placed.stage_changes.get().to_stage == placed.stage
    # On the order's timeline and its customer's, the contact's last activity moved.
    entry = Activity.objects.get(kind="order", subject__contains=placed.number)
    assert entry.subject == f"Order {placed.number} placed" and entry.body == "2 lines"
    linked = set(TimelineLink.objects.filter(activity=entry).values_list("object_id", flat=True))
    assert {placed.pk, placed.contact_id, placed.company_id} <= linked
    contact = Contact.objects.get(pk=placed.contact_id)
    assert contact.last_activity_at == entry.occurred_at
    audit = AuditEntry.objects.get(
        action="create", content_type=ContentType.objects.get_for_model(Order), object_id=placed.pk
    )
    assert audit.source == AuditSource.IMPORT
    assert audit.changes["lines"][1] == [
        [lines_product(placed, 0), 2, "9.50"],
        [lines_product(placed, 1), 1, "4.50"],
    ]
    services.undo(actor=admin, run=run)
    assert not Order.objects.filter(deleted_at__isnull=True).exists()


def lines_product(order, position: int) -> int:
    return order.lines.get(position=position).product_id


def test_an_order_the_batch_cannot_price_is_refused_alone(admin, people, catalogue):
    from clientela.orders.models import Order, Price

    Price.objects.filter(product__sku="BT-2").delete()
    data = csv_bytes(
        [
            ["Order Number", "Customer Email", "SKU", "Quantity", "Unit Price", "Date"],
            ["SO-1", "c0@lactatesud.ro", "BT-1", "1", "9.50", ""],
            ["SO-2", "c1@lactatesud.ro", "BT-2", "1", "", ""],  # no price on the list
            ["SO-3", "c2@lactatesud.ro", "BT-2", "1", "4", ""],  # agreed: needs none
        ]
    )
    run = import_file(admin, data, "orders.csv", record_type="order")
    assert (run.created, run.rejected) == (2, 1)
    assert "has no price on the price list" in run.rejections.get(row=3).reason
    assert Order.objects.count() == 2
