"""An administrator brings orders from another system in through the pages: upload, the
columns mapped by themselves, the preview, start, the orders and their lines stored on the
customer, then the import undone; and a corrected file updating the order it brought."""

from __future__ import annotations

import threading
from decimal import Decimal

from django.db import connection
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.dataio.importing import services
from clientela.dataio.models import ImportRun
from clientela.orders.models import Order, OrderLine, PriceList, Product, Warehouse
from tests.dataio.importing_helpers import csv_bytes
from tests.e2e.test_import_walk import PASSWORD, administrator  # noqa: F401 (fixture)

ORDERS = [
    ["Order Number", "Customer Email", "SKU", "Quantity", "Unit Price", "Date"],
    ["SO-1", "maria@lactatesud.ro", "LP-1", "10", "6", "2026-03-01"],
    ["SO-1", "maria@lactatesud.ro", "FR-40", "2", "1200", "2026-03-01"],
    ["SO-2", "maria@lactatesud.ro", "LP-1", "5", "6.20", "2026-03-02"],
    ["SO-3", "maria@lactatesud.ro", "NOPE-9", "1", "6", "2026-03-03"],
]


def in_thread(job, *args) -> None:
    """What `clientela worker` does with a queued job, in a thread of the test."""

    def work():
        try:
            job(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)


def undo(run_id: int, actor) -> None:
    """What a worker does with the undo the page asked for (unless done at once)."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status == ImportRun.Status.UNDOING:
        services.undo(actor=actor, run=run)


def upload(page, live_server, path, record_type: str) -> ImportRun:
    page.goto(live_server.url + "/imports/")
    page.get_by_label(record_type).check()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    run = ImportRun.objects.order_by("-id").first()
    assert run is not None
    in_thread(services.check_upload, run.pk)
    expect(page.get_by_role("heading", name="Map columns")).to_be_visible(timeout=15000)
    return run


def test_import_orders_through_the_pages_then_undo(
    live_server,
    administrator,  # noqa: F811
    page,
    screenshot,
    tmp_path,
):
    PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    Warehouse.objects.create(name="Depozit", is_default=True)
    Product.objects.create(sku="LP-1", name="Lapte 1 L", tax_rate=9)
    Product.objects.create(sku="FR-40", name="Frigider 40 L", tax_rate=19)
    maria = customer_services.create_contact(
        actor=administrator,
        data={"full_name": "Maria Popescu", "emails": ["maria@lactatesud.ro"]},
    )
    source = tmp_path / "orders.csv"
    source.write_bytes(csv_bytes(ORDERS))
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(administrator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    run = upload(page, live_server, source, "Orders with their lines")
    expect(page.get_by_label("Field for column Order Number")).to_have_value("order_number")
    expect(page.get_by_label("Field for column SKU")).to_have_value("sku")
    preview = page.locator("#import-preview")
    expect(preview.get_by_text("SO-2")).to_be_visible()
    screenshot(page, "import-orders-map")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    in_thread(services.execute, run.pk)
    expect(page.get_by_text("Finished")).to_be_visible(timeout=15000)
    rejected = page.get_by_role("table").filter(has_text="Reason")
    expect(rejected.get_by_text("NOPE-9")).to_be_visible()
    screenshot(page, "import-orders-done")
    first = Order.objects.get(notes__contains="SO-1")
    assert first.contact == maria and first.lines.count() == 2
    assert Order.objects.filter(deleted_at__isnull=True).count() == 2

    # The same orders corrected, brought in again to update the order they match.
    corrected = [ORDERS[0], ["SO-1", "maria@lactatesud.ro", "LP-1", "12", "5.90", "2026-03-01"]]
    source.write_bytes(csv_bytes(corrected))
    again = upload(page, live_server, source, "Orders with their lines")
    page.get_by_label("Update the existing record").check()
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    in_thread(services.execute, again.pk)
    expect(page.get_by_text("Finished")).to_be_visible(timeout=15000)
    lines = OrderLine.objects.filter(order=first)
    assert [(line.quantity, line.unit_price) for line in lines] == [(12, Decimal("5.90"))]

    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("Undoing the import")).to_be_visible()
    in_thread(undo, again.pk, administrator)
    page.reload()
    expect(page.get_by_text("Undone", exact=True).first).to_be_visible(timeout=15000)
    assert OrderLine.objects.filter(order=first).count() == 2
    page.goto(live_server.url + f"/imports/{run.pk}/")
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("Undoing the import")).to_be_visible()
    in_thread(undo, run.pk, administrator)
    assert not Order.objects.filter(deleted_at__isnull=True).exists()
