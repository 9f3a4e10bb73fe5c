"""Products and prices, orders with their lines, timeline entries and tasks through the same
import as contacts: linked by the other system's IDs or by natural keys (SKU, e-mail,
company name, order number), bad rows reported with their line and reason, an order
written whole or not at all, a second import updating or skipping instead of duplicating,
a dry run storing nothing, and undo."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.activities.models import Activity, Task
from clientela.customers import services as customer_services
from clientela.dataio.importing import mapping, services
from clientela.orders.models import Order, OrderLine, Price, PriceList, Product, Warehouse
from clientela.users.services import create_user
from tests.dataio.importing_helpers import csv_bytes, import_file


@pytest.fixture
def admin(db, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def maria(admin):
    company = customer_services.create_company(actor=admin, data={"name": "Lactate Sud SRL"})
    return customer_services.create_contact(
        actor=admin,
        data={"full_name": "Maria Popescu", "emails": ["maria@lactatesud.ro"], "company": company},
    )


PRODUCTS = csv_bytes(
    [
        ["Internal Reference", "Name", "Sales Price", "Customer Taxes", "Pricelist", "Currency"],
        ["FR-40", "Frigider 40 L", "1.250,50", "19", "Standard", "RON"],
        ["LP-1", "Lapte 1 L", "6.20", "9", "Standard", "RON"],
        ["", "Fără cod", "3", "19", "Standard", "RON"],
        ["BAD-1", "Preț greșit", "a lot", "19", "Standard", "RON"],
    ]
)


def _products(admin):
    PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    Warehouse.objects.create(name="Depozit", is_default=True)
    return import_file(admin, PRODUCTS, "products.csv", record_type="product")


def test_an_odoo_products_export_maps_itself():
    headers = PRODUCTS.decode().splitlines()[0].split(",")
    assert mapping.guess(headers, "product") == [
        "sku",
        "product_name",
        "price",
        "tax_rate",
        "price_list",
        "currency",
    ]


def test_products_come_in_with_their_prices_and_a_second_file_updates_them(admin):
    run = _products(admin)
    assert run.status == "done", run.error
    assert (run.created, run.rejected) == (2, 2)
    fridge = Product.objects.get(sku="FR-40")
    assert (fridge.name, fridge.tax_rate) == ("Frigider 40 L", Decimal("19"))
    assert Price.objects.get(product=fridge).unit_price == Decimal("1250.50")
    assert list(run.rejections.values_list("row", "column")) == [
        (4, "Internal Reference"),
        (5, "Sales Price"),
    ]
    changed = csv_bytes([["SKU", "Product name", "Price"], ["FR-40", "Frigider 40 litri", "1300"]])
    again = import_file(admin, changed, "products.csv", record_type="product", mode="update")
    assert (again.created, again.updated) == (0, 1)
    fridge.refresh_from_db()
    assert fridge.name == "Frigider 40 litri"
    assert Product.objects.count() == 2
    assert Price.objects.get(product=fridge).unit_price == Decimal("1300")
    services.undo(actor=admin, run=again)
    fridge.refresh_from_db()
    assert fridge.name == "Frigider 40 L"
    assert Price.objects.get(product=fridge).unit_price == Decimal("1250.50")
    services.undo(actor=admin, run=run)
    assert not Product.objects.exists()


ORDERS = csv_bytes(
    [
        ["Order Number", "Customer Email", "Customer", "SKU", "Quantity", "Unit Price", "Date"],
        ["SO-1", "maria@lactatesud.ro", "", "FR-40", "2", "1200", "2026-03-01"],
        ["SO-1", "maria@lactatesud.ro", "", "LP-1", "10", "6", "2026-03-01"],
        ["SO-2", "", "Lactate Sud SRL", "LP-1", "5", "", ""],
        ["SO-3", "maria@lactatesud.ro", "", "LP-1", "1", "6", ""],
        ["SO-3", "maria@lactatesud.ro", "", "NOPE-9", "1", "6", ""],
        ["SO-4", "nobody@nowhere.ro", "", "LP-1", "1", "6", ""],
        ["SO-5", "maria@lactatesud.ro", "", "LP-1", "two", "6", ""],
    ]
)


def test_orders_come_in_whole_with_their_lines_or_not_at_all(admin, maria):
    _products(admin)
    dry = import_file(admin, ORDERS, "orders.csv", record_type="order", dry_run=True)
    assert (dry.created, dry.rejected) == (2, 4)
    assert not Order.objects.exists()
    run = import_file(admin, ORDERS, "orders.csv", record_type="order")
    assert run.status == "done", run.error
    assert (run.created, run.rejected) == (2, 4)
    first = Order.objects.get(contact=maria)
    assert first.placed_at is not None and first.placed_at.date().isoformat() == "2026-03-01"
    lines = OrderLine.objects.filter(order=first).order_by("position")
    assert [(line.product.sku, line.quantity, line.unit_price) for line in lines] == [
        ("FR-40", 2, Decimal("1200.00")),
        ("LP-1", 10, Decimal("6.00")),
    ]
    assert "SO-1" in first.notes
    second = Order.objects.get(contact=None)
    assert second.company == maria.company and second.is_quote
    assert second.lines.get().unit_price == Decimal("6.20")  # the price list's price
    reasons = dict(run.rejections.values_list("row", "reason"))
    assert sorted(reasons) == [5, 6, 7, 8]
    assert "NOPE-9" in reasons[6] and "row 6" in reasons[5]
    assert "nobody@nowhere.ro" in reasons[7]
    assert "whole number" in reasons[8]
    again = import_file(admin, ORDERS, "orders.csv", record_type="order")
    assert (again.created, again.skipped) == (0, 3)
    assert Order.objects.count() == 2
    services.undo(actor=admin, run=run)
    assert not Order.objects.filter(deleted_at__isnull=True).exists()


def test_orders_lines_are_not_split_between_batches(admin, maria, settings):
    settings.IMPORT_BATCH_ROWS = 1
    _products(admin)
    run = import_file(admin, ORDERS, "orders.csv", record_type="order")
    assert (run.created, run.rejected) == (2, 4)
    assert OrderLine.objects.filter(order__contact=maria).count() == 2


ACTIVITIES = csv_bytes(
    [
        ["Activity ID", "Type", "Subject", "Notes", "Date", "Duration", "Contact Email", "Company"],
        ["a1", "Call", "Order follow-up", "Wants 40 fridges", "2026-02-03 10:15", "12:30", "maria@lactatesud.ro", ""],
        ["a2", "Note", "", "Pays late", "03.02.2026", "", "", "Lactate Sud SRL"],
        ["a3", "Meeting", "Visit", "", "2026-02-10T09:00", "", "maria@lactatesud.ro", ""],
        ["a4", "Fax", "?", "", "", "", "maria@lactatesud.ro", ""],
        ["a5", "Call", "", "", "", "", "someone@else.ro", ""],
        ["a6", "Call", "", "", "", "", "", ""],
    ]
)  # fmt: skip


def test_calls_notes_and_meetings_go_on_the_timelines_they_name(admin, maria):
    run = import_file(admin, ACTIVITIES, "activities.csv", record_type="activity")
    assert run.status == "done", run.error
    assert (run.created, run.rejected) == (3, 3)
    call = Activity.objects.get(kind="call")
    assert (call.subject, call.body, call.duration_seconds) == (
        "Order follow-up",
        "Wants 40 fridges",
        750,
    )
    assert call.occurred_at.hour == 10
    assert Activity.objects.get(kind="note").body == "Pays late"
    reasons = dict(run.rejections.values_list("row", "reason"))
    assert (
        "Fax" in reasons[5] and "someone@else.ro" in reasons[6] and "Name the record" in reasons[7]
    )
    again = import_file(admin, ACTIVITIES, "activities.csv", record_type="activity")
    assert (again.created, again.skipped) == (0, 3)
    assert Activity.objects.filter(kind__in=["call", "note", "meeting"]).count() == 3
    services.undo(actor=admin, run=run)
    assert not Activity.objects.filter(kind__in=["call", "meeting"]).exists()


def test_tasks_come_in_for_their_people_linked_to_their_records(admin, maria):
    tasks = csv_bytes(
        [
            ["Task ID", "Subject", "Due Date", "Priority", "Assigned To", "Contact Email", "Status"],
            ["t1", "Send the offer", "2026-04-01", "High", "admin@firma.ro", "maria@lactatesud.ro", "Open"],
            ["t2", "Call back", "", "", "Radu Vânzări", "", "Completed"],
            ["t3", "", "", "", "", "", ""],
        ]
    )  # fmt: skip
    run = import_file(admin, tasks, "tasks.csv", record_type="task")
    assert (run.created, run.rejected, run.warned) == (2, 1, 1)
    offer = Task.objects.get(title="Send the offer")
    assert (offer.priority, offer.object_id, offer.done_at) == ("high", maria.pk, None)
    callback = Task.objects.get(title="Call back")
    assert callback.assignee == admin and callback.done_at is not None
    assert import_file(admin, tasks, "tasks.csv", record_type="task").skipped == 2
    services.undo(actor=admin, run=run)
    assert not Task.objects.exists()


def test_namesakes_an_import_stores_wait_in_the_merge_queue(admin, maria, client):
    from clientela.customers.models import Contact
    from clientela.dataio.models import SuspectedDuplicate

    people = csv_bytes(
        [
            ["Name", "Company", "Email"],
            ["Maria Popescu", "Lactate Sud SRL", "m.popescu@gmail.com"],
            ["Ion Ionescu", "Lactate Sud SRL", "ion@lactatesud.ro"],
            ["Ion Ionescu", "Lactate Sud SRL", "ion.ionescu@yahoo.com"],
        ]
    )
    run = import_file(admin, people)
    assert run.created == 3
    pairs = list(SuspectedDuplicate.objects.order_by("id"))
    other_maria = Contact.objects.get(emails__address="m.popescu@gmail.com")
    assert (pairs[0].first_id, pairs[0].second_id) == (maria.pk, other_maria.pk)
    assert len(pairs) == 2
    client.force_login(admin)
    page = client.get("/imports/duplicates/").content.decode()
    assert "m.popescu@gmail.com" in page and "ion.ionescu@yahoo.com" in page
    assert f"/merge/contact/{maria.pk}/{other_maria.pk}/" in page
    response = client.post(f"/imports/duplicates/{pairs[1].pk}/dismiss/")
    assert response.status_code == 302
    assert "ion.ionescu@yahoo.com" not in client.get("/imports/duplicates/").content.decode()
    # Merged through the merge page: the pair leaves the queue with the merged-away contact.
    client.post(f"/merge/contact/{maria.pk}/{other_maria.pk}/")
    assert "m.popescu@gmail.com" not in client.get("/imports/duplicates/").content.decode()


@pytest.mark.parametrize(
    ("record_type", "headers", "expected"),
    [
        (  # Salesforce tasks
            "task",
            ["Id", "Subject", "ActivityDate", "Priority", "Status", "WhoId", "AccountId"],
            ["external_id", "title", "due_at", "priority", "done", "contact_ref", "company_ref"],
        ),
        (  # HubSpot calls
            "activity",
            ["Activity ID", "Activity type", "Call notes", "Activity date", "Call duration",
             "Associated Contact IDs", "Associated Deal IDs"],
            ["external_id", "kind", "body", "occurred_at", "duration", "contact_ref", "deal_ref"],
        ),
        (  # SuiteCRM tasks table
            "task",
            ["id", "name", "date_due", "priority", "status", "assigned_user_name"],
            ["external_id", "title", "due_at", "priority", "done", "owner"],
        ),
        (  # Odoo sale order lines
            "order",
            ["Order Reference", "Customer", "Order Lines/Product", "Order Lines/Quantity",
             "Order Lines/Unit Price", "Order Date"],
            ["order_number", "company", "product_name", "quantity", "unit_price", "placed_at"],
        ),
    ],
)  # fmt: skip
def test_other_crms_exports_of_each_record_type_map_themselves(db, record_type, headers, expected):
    assert mapping.guess(headers, record_type) == expected


def test_the_mapping_page_previews_an_orders_file_with_its_problems(admin, maria, client):
    import io

    run = services.create_run(
        actor=admin, source=io.BytesIO(ORDERS), file_name="orders.csv", record_type="order"
    )
    shown = services.preview(run)
    assert shown[0].values["order_number"] == "SO-1" and shown[0].values["sku"] == "FR-40"
    assert "whole number" in shown[6].problems[0][1]
    client.force_login(admin)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "SO-1" in page and "Order number" in page and "never duplicated" in page
