"""A second import of a corrected file, with duplicates set to update, writes the orders,
timeline entries and tasks an earlier import brought in again (matched by the other
system's ID or the order number) instead of duplicating or skipping them; its undo puts
back what they were."""

from __future__ import annotations

from decimal import Decimal

from clientela.activities.models import Activity, Task, TimelineLink
from clientela.dataio.importing import services
from clientela.orders.models import Order, OrderLine
from tests.dataio import test_import_more_types as more_types
from tests.dataio.importing_helpers import csv_bytes, import_file

admin, maria = more_types.admin, more_types.maria  # the same fixtures
ORDERS, _products = more_types.ORDERS, more_types._products


def _lines(order):
    lines = OrderLine.objects.filter(order=order).order_by("position")
    return [(line.product.sku, line.quantity, line.unit_price) for line in lines]


def test_a_corrected_orders_file_updates_the_orders_and_undo_puts_them_back(admin, maria):
    _products(admin)
    first = import_file(admin, ORDERS, "orders.csv", record_type="order")
    order = Order.objects.get(contact=maria)
    total = order.total
    corrected = csv_bytes(
        [
            ["Order Number", "Customer Email", "Customer", "SKU", "Quantity", "Unit Price", "Date"],
            ["SO-1", "maria@lactatesud.ro", "", "FR-40", "3", "1150", "2026-03-01"],
            ["SO-9", "maria@lactatesud.ro", "", "LP-1", "4", "6", ""],
        ]
    )
    skipped = import_file(admin, corrected, "orders.csv", record_type="order")
    assert (skipped.created, skipped.updated, skipped.skipped) == (1, 0, 1)
    assert _lines(order) == [("FR-40", 2, Decimal("1200.00")), ("LP-1", 10, Decimal("6.00"))]
    services.undo(actor=admin, run=skipped)
    again = import_file(admin, corrected, "orders.csv", record_type="order", mode="update")
    assert again.status == "done", again.error
    assert (again.created, again.updated, again.rejected) == (1, 1, 0)
    assert Order.objects.filter(contact=maria, deleted_at__isnull=True).count() == 2
    order.refresh_from_db()
    assert _lines(order) == [("FR-40", 3, Decimal("1150.00"))]
    assert order.total != total
    assert "SO-1" in again.notes.get(row=2).message
    services.undo(actor=admin, run=again)
    order.refresh_from_db()
    assert _lines(order) == [("FR-40", 2, Decimal("1200.00")), ("LP-1", 10, Decimal("6.00"))]
    assert order.total == total and order.deleted_at is None
    assert not Order.objects.filter(notes__contains="SO-9", deleted_at__isnull=True).exists()
    assert first.created == 2


ACTIVITIES = [
    ["Activity ID", "Type", "Subject", "Notes", "Date", "Duration", "Contact Email"],
    ["a1", "Call", "Order follow-up", "Wants 40 fridges", "2026-02-03 10:15", "12:30", "maria@lactatesud.ro"],
    ["a2", "Note", "", "Pays late", "03.02.2026", "", "maria@lactatesud.ro"],
]  # fmt: skip


def test_a_corrected_activities_file_updates_the_timeline_and_undo_puts_it_back(admin, maria):
    import_file(admin, csv_bytes(ACTIVITIES), "activities.csv", record_type="activity")
    call = Activity.objects.get(kind="call")
    corrected = [
        ACTIVITIES[0],
        ["a1", "Meeting", "Visit", "Wants 50 fridges", "2026-02-04 11:00", "", "maria@lactatesud.ro"],
        ACTIVITIES[2],
    ]  # fmt: skip
    run = import_file(
        admin, csv_bytes(corrected), "activities.csv", record_type="activity", mode="update"
    )
    assert (run.created, run.updated, run.skipped, run.rejected) == (0, 2, 0, 0)
    assert Activity.objects.count() == 2
    call.refresh_from_db()
    assert (call.kind, call.subject, call.body) == ("meeting", "Visit", "Wants 50 fridges")
    assert call.occurred_at.day == 4
    assert set(TimelineLink.objects.filter(activity=call).values_list("kind", flat=True)) == {
        "meeting"
    }
    services.undo(actor=admin, run=run)
    call.refresh_from_db()
    assert (call.kind, call.subject, call.body, call.duration_seconds) == (
        "call",
        "Order follow-up",
        "Wants 40 fridges",
        750,
    )
    assert call.occurred_at.day == 3 and call.occurred_at.hour == 10
    assert TimelineLink.objects.filter(activity=call).values_list("kind", flat=True)[0] == "call"


def test_a_corrected_tasks_file_updates_the_tasks_and_undo_puts_them_back(admin, maria):
    tasks = [
        ["Task ID", "Subject", "Due Date", "Priority", "Assigned To", "Status"],
        ["t1", "Send the offer", "2026-04-01", "High", "admin@firma.ro", "Open"],
    ]
    import_file(admin, csv_bytes(tasks), "tasks.csv", record_type="task")
    task = Task.objects.get()
    tasks[1] = ["t1", "Send the signed offer", "2026-04-03", "Urgent", "admin@firma.ro", "Done"]
    run = import_file(admin, csv_bytes(tasks), "tasks.csv", record_type="task", mode="update")
    assert (run.created, run.updated) == (0, 1)
    task.refresh_from_db()
    assert (task.title, task.priority, task.due_at.day) == ("Send the signed offer", "urgent", 3)
    assert task.done_at is not None
    services.undo(actor=admin, run=run)
    task.refresh_from_db()
    assert (task.title, task.priority, task.due_at.day) == ("Send the offer", "high", 1)
    assert task.done_at is None and Task.objects.count() == 1


def test_orders_and_deals_custom_fields_are_mapping_targets_and_come_in(admin, maria):
    from clientela.core.models import CustomField
    from clientela.dataio.importing import mapping
    from clientela.deals.models import Deal

    CustomField.objects.create(
        record_type="order", key="channel", label="Sales channel", field_type="text"
    )
    CustomField.objects.create(
        record_type="deal", key="region", label="Region", field_type="choice", choices=["N", "S"]
    )
    assert "custom:channel" in {t.key for t in mapping.targets("order")}
    assert "custom:region" in {t.key for t in mapping.targets("deal")}
    assert not any(t.key.startswith("custom:") for t in mapping.targets("task"))
    _products(admin)
    orders = [
        ["Order Number", "Customer Email", "SKU", "Quantity", "Unit Price", "Channel"],
        ["SO-1", "maria@lactatesud.ro", "LP-1", "2", "6", "Shop"],
    ]
    columns = ["order_number", "contact_email", "sku", "quantity", "unit_price", "custom:channel"]
    run = import_file(admin, csv_bytes(orders), "o.csv", record_type="order", columns=columns)
    order = Order.objects.get()
    assert order.custom == {"channel": "Shop"}
    orders[1][5] = "Phone"
    again = import_file(
        admin, csv_bytes(orders), "o.csv", record_type="order", columns=columns, mode="update"
    )
    order.refresh_from_db()
    assert again.updated == 1 and order.custom == {"channel": "Phone"}
    services.undo(actor=admin, run=again)
    order.refresh_from_db()
    assert order.custom == {"channel": "Shop"} and run.created == 1
    assert mapping.NEW_CUSTOM in {t.key for t in mapping.targets("deal")}
    deals = [["Deal", "Region"], ["Frigidere", "S"], ["Lapte", "West"]]
    columns = ["deal_name", "custom:region"]
    run = import_file(admin, csv_bytes(deals), "d.csv", record_type="deal", columns=columns)
    assert (run.created, run.rejected) == (1, 1)
    assert Deal.objects.get().custom == {"region": "S"}
    assert run.rejections.get().column == "Region"


def test_merging_a_pair_from_the_queue_marks_it_merged_and_a_dismissed_one_stays_dismissed(
    admin, maria, client
):
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
    import_file(admin, people)
    maria_pair, ion_pair = SuspectedDuplicate.objects.order_by("id")
    client.force_login(admin)
    page = client.get("/imports/duplicates/").content.decode()
    assert f"/imports/duplicates/{maria_pair.pk}/merge/" in page
    assert client.post(f"/imports/duplicates/{ion_pair.pk}/dismiss/").status_code == 302
    response = client.post(f"/imports/duplicates/{maria_pair.pk}/merge/", follow=True)
    assert "Merged into one contact." in response.content.decode()
    maria_pair.refresh_from_db()
    assert (maria_pair.status, maria_pair.resolved_by) == ("merged", admin)
    maria.refresh_from_db()
    assert set(maria.emails.values_list("address", flat=True)) == {
        "maria@lactatesud.ro",
        "m.popescu@gmail.com",
    }
    assert Contact.objects.filter(full_name="Maria Popescu", deleted_at__isnull=True).count() == 1
    again = client.post(f"/imports/duplicates/{maria_pair.pk}/merge/")
    assert again.status_code == 404  # settled pairs leave the queue
    # The same file again: every row is known by its e-mail; nothing comes back to the queue.
    import_file(admin, people, mode="update")
    assert list(SuspectedDuplicate.objects.values_list("status", flat=True).order_by("id")) == [
        "merged",
        "dismissed",
    ]
    assert "ion.ionescu@yahoo.com" not in client.get("/imports/duplicates/").content.decode()
