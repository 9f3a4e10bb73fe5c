"""Orders: prices locked on lines and never outdated (R14), stock held, released and taken,
stages validated, invoices numbered and immutable, shipments moving the order on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.activities.models import TimelineLink
from clientela.core import presenting
from clientela.core.models import AuditEntry
from clientela.orders import invoicing, selectors, services, shipping
from clientela.orders.models import (
    ImmutableInvoiceError,
    MovementKind,
    Price,
    StockLevel,
    StockMovement,
)
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


def level(shop, product):
    return StockLevel.objects.get(product=shop[product], warehouse=shop["warehouse"])


def timeline_subjects(record) -> list[str]:
    links = TimelineLink.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, kind="order"
    ).select_related("activity")
    return [link.activity.subject for link in links.order_by("occurred_at", "activity_id")]


def place(user, shop, **lines):
    return services.create_order_for_customer(
        actor=user,
        customer=shop["contact"],
        lines=[{"product": shop[name], "quantity": n} for name, n in lines.items()],
    )


def test_an_order_takes_todays_price_and_keeps_it_when_the_list_changes(user, shop):
    order = place(user, shop, chair=2, desk=1)
    assert order.currency == "RON"
    assert order.net_total == Decimal("2100.50")  # 2 x 450 + 1200.50
    assert order.tax_total == Decimal("279.05")  # 171.00 + 108.05 (19 % and 9 %)
    assert order.total == Decimal("2379.55")
    Price.objects.filter(product=shop["chair"]).update(unit_price=Decimal("500.00"))
    line = order.lines.get(product=shop["chair"])
    assert line.unit_price == Decimal("450.00")  # locked
    invoice = invoicing.issue_invoice(actor=user, order=order)
    assert invoice.total == Decimal("2379.55")


def test_a_line_at_an_outdated_price_is_refused_with_the_current_price(user, shop):
    with pytest.raises(ValidationError, match=r"now 450\.00, not 400\.00"):
        services.create_order_for_customer(
            actor=user,
            customer=shop["contact"],
            lines=[{"product": shop["chair"], "quantity": 1, "unit_price": "400.00"}],
        )
    assert not selectors.orders_for(user).exists()  # nothing half-written
    assert level(shop, "chair").reserved == 0


def test_a_quote_priced_yesterday_cannot_become_an_order_at_an_old_price(user, shop):
    quote = services.create_order_for_customer(
        actor=user,
        customer=shop["company"],
        lines=[{"product": shop["chair"], "quantity": 1}],
        quote=True,
    )
    assert quote.is_quote and level(shop, "chair").reserved == 0  # a quote holds no stock
    Price.objects.filter(product=shop["chair"]).update(unit_price=Decimal("470.00"))
    with pytest.raises(ValidationError, match=r"now 470\.00"):
        services.move_order(actor=user, order=quote, to="placed")
    quote.refresh_from_db()
    assert quote.stage.key == "quote" and level(shop, "chair").reserved == 0


def test_a_customer_price_list_wins_over_the_default_one(user, shop):
    from clientela.orders.models import PriceList

    special = PriceList.objects.create(name="Fabrica", currency="EUR", company=shop["company"])
    Price.objects.create(price_list=special, product=shop["chair"], unit_price=Decimal("90.00"))
    order = place(user, shop, chair=1)  # the contact works at the company
    assert order.currency == "EUR" and order.net_total == Decimal("90.00")


def test_stock_is_held_on_placement_released_on_cancel(user, shop):
    order = place(user, shop, chair=3)
    assert (level(shop, "chair").on_hand, level(shop, "chair").reserved) == (10, 3)
    services.move_order(actor=user, order=order, to="cancelled")
    assert (level(shop, "chair").on_hand, level(shop, "chair").reserved) == (10, 0)
    kinds = list(
        StockMovement.objects.filter(order=order).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [MovementKind.RESERVED, MovementKind.RELEASED]


def test_a_line_beyond_the_stock_is_refused_unless_backorders_are_allowed(user, shop):
    with pytest.raises(ValidationError, match="Only 1 of Standing desk available"):
        place(user, shop, desk=2)
    order = place(user, shop, lamp=5)  # no stock at all, but sold on backorder
    assert order.lines.get().reserved == 5
    with pytest.raises(ValidationError, match="Out of stock: Desk lamp"):
        invoicing.issue_invoice(actor=user, order=order)  # R14: no invoice for what is not in


def test_stages_are_validated_timestamped_audited_and_on_the_timeline(user, shop, settings):
    order = place(user, shop, chair=1)
    with pytest.raises(ValidationError, match="can't go from “Placed” to “Delivered”"):
        services.move_order(actor=user, order=order, to="delivered")
    with pytest.raises(ValidationError, match="not paid yet"):
        shipping.create_shipment(
            actor=user, order=order, carrier=shop["carrier"], quantities={order.lines.get().pk: 1}
        )
    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    shipping.create_shipment(
        actor=user, order=order, carrier=shop["carrier"], quantities={order.lines.get().pk: 1}
    )
    order.refresh_from_db()
    assert order.stage.key == "shipped"
    assert [c.to_stage.key for c in order.stage_changes.all()] == ["placed", "shipped"]
    assert AuditEntry.objects.filter(object_id=order.pk, action="update").exists()
    on_contact = timeline_subjects(shop["contact"])
    assert on_contact == timeline_subjects(shop["company"])
    assert on_contact == [
        f"Order #{order.pk} placed",
        f"Order #{order.pk} shipped with FAN Courier",
        f"Order #{order.pk}: Shipped",
    ]


def test_a_business_stage_between_paid_and_shipped(user, shop):
    from clientela.orders.models import OrderStage

    packed = OrderStage.objects.create(key="packed", name="Packed", position=25)
    OrderStage.objects.get(key="paid").next_stages.add(packed)
    packed.next_stages.add(OrderStage.objects.get(key="shipped"))
    order = place(user, shop, chair=1)
    with pytest.raises(ValidationError):
        services.move_order(actor=user, order=order, to="packed")
    invoice = invoicing.issue_invoice(actor=user, order=order)
    invoicing.record_payment(actor=user, invoice=invoice, amount=invoice.total)
    services.move_order(actor=user, order=order, to="packed")
    shipping.create_shipment(
        actor=user, order=order, carrier=shop["carrier"], quantities={order.lines.get().pk: 1}
    )
    order.refresh_from_db()
    assert order.stage.key == "shipped"


def test_payment_partial_shipments_and_delivery_move_the_order(user, shop):
    order = place(user, shop, chair=3)
    invoice = invoicing.issue_invoice(actor=user, order=order)
    invoicing.record_payment(actor=user, invoice=invoice, amount=Decimal("1000"))
    order.refresh_from_db()
    assert order.stage.key == "placed"
    with pytest.raises(ValidationError, match=r"Only 606\.50 RON is due"):
        invoicing.record_payment(actor=user, invoice=invoice, amount=Decimal("700"))
    invoicing.record_payment(actor=user, invoice=invoice, amount=Decimal("606.50"))
    order.refresh_from_db()
    assert order.stage.key == "paid" and order.paid_at is not None
    line = order.lines.get()
    first = shipping.create_shipment(
        actor=user,
        order=order,
        carrier=shop["carrier"],
        quantities={line.pk: 2},
        tracking_number="AWB 1",
    )
    assert first.tracking_url == "https://fan.example/awb/AWB%201"
    order.refresh_from_db()
    assert order.stage.key == "paid"  # one chair still to ship
    second = shipping.create_shipment(
        actor=user, order=order, carrier=shop["carrier"], quantities={line.pk: 1}
    )
    order.refresh_from_db()
    assert order.stage.key == "shipped"
    assert (level(shop, "chair").on_hand, level(shop, "chair").reserved) == (7, 0)
    shipping.update_shipment(actor=user, shipment=first, status="in_transit")
    shipping.update_shipment(actor=user, shipment=first, status="delivered")
    order.refresh_from_db()
    assert order.stage.key == "shipped"
    shipping.update_shipment(actor=user, shipment=second, status="delivered")
    order.refresh_from_db()
    assert order.stage.key == "delivered"
    assert [e.status for e in first.events.all()] == ["label_created", "in_transit", "delivered"]
    assert selectors.lifetime_value(user, shop["company"]) == {"RON": Decimal("1606.50")}


def test_an_issued_invoice_never_changes_and_a_credit_note_cancels_it(user, shop):
    order = place(user, shop, chair=1)
    invoice = invoicing.issue_invoice(actor=user, order=order)
    invoice.reason = "edited"
    with pytest.raises(ImmutableInvoiceError):
        invoice.save()
    with pytest.raises(ImmutableInvoiceError):
        invoice.delete()
    with pytest.raises(ValidationError, match="invoiced already"):
        invoicing.issue_invoice(actor=user, order=order)
    note = invoicing.issue_credit_note(actor=user, invoice=invoice, reason="Wrong buyer")
    assert note.number == "CN-000001" and note.total == -invoice.total
    assert selectors.lifetime_value(user, shop["contact"]) == {"RON": Decimal("0.00")}
    again = invoicing.issue_invoice(actor=user, order=order)
    assert again.number == "INV-000002"
    with pytest.raises(ValidationError, match="cancelled"):
        invoicing.record_payment(actor=user, invoice=invoice, amount=Decimal("1"))


def test_another_teams_order_cannot_be_changed_or_seen(user, shop):
    rep = create_user(
        email="rep@firma-b.ro", role=role_named("sales-representative"), team=team_named("B")
    )
    order = place(user, shop, chair=1)
    assert not selectors.orders_for(rep).filter(pk=order.pk).exists()
    with pytest.raises(PermissionDenied):
        services.move_order(actor=rep, order=order, to="cancelled")
    with pytest.raises(PermissionDenied):
        services.create_order_for_customer(
            actor=rep, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
        )
    assert presenting.hides(rep, "order", "total")


def test_an_administrator_receives_and_counts_stock_in_settings(client, shop, make_user):
    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    url = "/admin/orders/stockmovement/add/"
    data = {"product": shop["chair"].pk, "warehouse": shop["warehouse"].pk, "note": "delivery"}
    assert client.post(url, {**data, "kind": "received", "quantity": 5}).status_code == 302
    assert level(shop, "chair").on_hand == 15
    assert client.post(url, {**data, "kind": "adjusted", "quantity": 12}).status_code == 302
    assert level(shop, "chair").on_hand == 12
    refused = client.post(url, {**data, "kind": "received", "quantity": 0})
    assert refused.status_code == 200 and "above zero" in refused.content.decode()
    kinds = StockMovement.objects.filter(product=shop["chair"]).values_list("kind", "quantity")
    assert list(kinds.order_by("id"))[-2:] == [("received", 5), ("adjusted", -3)]


def test_amounts_in_the_audit_trail_are_hidden_from_roles_without_sensitive_access(user, shop):
    from clientela.core import audit

    rep = create_user(email="rep2@firma.ro", role=role_named("sales-representative"))
    order = place(user, shop, chair=1)
    invoice = invoicing.issue_invoice(actor=user, order=order)
    payment = invoicing.record_payment(actor=user, invoice=invoice, amount=Decimal("10"))
    for record, field in ((order, "total"), (invoice, "total"), (payment, "amount")):
        entry = audit.history(record).last()
        model = record._meta.model_name
        assert audit.masked_changes(entry.changes, rep, model)[field] == ["•••", "•••"]
        assert audit.masked_changes(entry.changes, user, model)[field][1] not in (None, "•••")


def test_the_timeline_counts_an_orders_lines_in_proper_plural(user, shop):
    one = place(user, shop, chair=1)
    two = place(user, shop, chair=1, lamp=3)
    bodies = {
        link.activity.subject: link.activity.body
        for link in TimelineLink.objects.filter(kind="order").select_related("activity")
    }
    assert bodies[f"Order #{one.pk} placed"] == "1 line"
    assert bodies[f"Order #{two.pk} placed"] == "2 lines"
