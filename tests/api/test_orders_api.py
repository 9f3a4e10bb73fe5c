"""Products, orders, invoices and shipments through the API: the orders services' price
lock, stock guard, stage rules, versions and permissions, as the order pages have them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.core import events
from clientela.core.models import AuditEntry
from clientela.orders import services
from clientela.orders.models import Invoice, Order, Product, Shipment, StockLevel
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db

WRITE = ("orders:write", "products:write", "invoices:write", "shipments:write")


@pytest.fixture
def shop(admin):
    return build_shop(admin)


@pytest.fixture
def api(api_for, admin):
    return api_for(admin, WRITE)


def order_body(shop, *lines, **extra):
    return {"contact_id": shop["contact"].pk, "lines": list(lines), **extra}


def line(product, quantity=1, **extra):
    return {"product_id": product.pk, "quantity": quantity, **extra}


def reserved(product) -> int:
    return StockLevel.objects.get(product=product).reserved


def test_an_order_with_lines_is_priced_from_the_price_list_and_audited_as_api(api, shop):
    created = api.post(
        "/api/v1/orders/",
        order_body(shop, line(shop["chair"], 2, unit_price="450.00"), line(shop["desk"])),
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["ETag"] == '"1"' and body["version"] == 1
    assert body["stage"] == "placed" and not body["is_quote"]
    assert body["contact_id"] == shop["contact"].pk
    assert body["company_id"] == shop["company"].pk and body["currency"] == "RON"
    # 2 x 450.00 at 19 % and 1 x 1200.50 at 9 % (108.045 rounds half up).
    assert (body["net_total"], body["tax_total"], body["total"]) == (
        "2100.50",
        "279.05",
        "2379.55",
    )
    assert [(x["quantity"], x["unit_price"], x["net"]) for x in body["lines"]] == [
        (2, "450.00", "900.00"),
        (1, "1200.50", "1200.50"),
    ]
    assert body["lines"][0]["reserved"] == 2 and reserved(shop["chair"]) == 2
    assert set(body["next_stages"]) == {"paid", "shipped", "cancelled"}
    entry = AuditEntry.objects.get(object_id=body["id"], content_type__model="order")
    assert entry.action == "create" and entry.source == "api"
    read = api.get(f"/api/v1/orders/{body['id']}")
    assert read.status_code == 200 and read.json()["lines"] == body["lines"]


def test_a_line_at_an_outdated_price_is_refused_and_nothing_is_written(api, shop):
    refused = api.post(
        "/api/v1/orders/",
        order_body(shop, line(shop["desk"]), line(shop["chair"], unit_price="400.00")),
    )
    assert refused.status_code == 422
    error = refused.json()["detail"][0]
    assert error["loc"] == ["body", "lines", 1]
    assert "now 450.00, not 400.00" in error["msg"]
    assert Order.objects.count() == 0 and reserved(shop["desk"]) == 0


def test_no_stock_and_no_backorder_is_refused_and_nothing_is_written(api, shop):
    refused = api.post("/api/v1/orders/", order_body(shop, line(shop["desk"], 2)))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "lines", 0]
    assert "Only 1 of Standing desk available" in refused.json()["detail"][0]["msg"]
    assert Order.objects.count() == 0 and reserved(shop["desk"]) == 0
    backorder = api.post("/api/v1/orders/", order_body(shop, line(shop["lamp"], 5)))
    assert backorder.status_code == 201  # the lamp may be sold when out of stock


def test_bad_input_is_422_with_the_field_never_a_server_error(api, shop):
    no_customer = api.post("/api/v1/orders/", {"lines": [line(shop["chair"])]})
    assert no_customer.json()["detail"][0]["loc"] == ["body", "contact_id"]
    no_product = api.post("/api/v1/orders/", order_body(shop, {"product_id": 999, "quantity": 1}))
    assert no_product.json()["detail"][0]["loc"] == ["body", "lines", 0, "product_id"]
    no_lines = api.post("/api/v1/orders/", order_body(shop))
    assert no_lines.status_code == 422
    zero = api.post("/api/v1/orders/", order_body(shop, line(shop["chair"], 0)))
    assert zero.status_code == 422
    assert Order.objects.count() == 0


def test_stage_moves_and_refused_moves_say_why(api, shop):
    order = api.post("/api/v1/orders/", order_body(shop, line(shop["chair"]))).json()
    url = f"/api/v1/orders/{order['id']}"

    refused = api.patch(url, {"stage": "delivered", "version": 1})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "stage"]
    assert "can't go from" in refused.json()["detail"][0]["msg"]
    unknown = api.patch(url, {"stage": "teleported"})
    assert unknown.status_code == 422

    paid = api.patch(url, {"stage": "paid", "version": 1, "note": "Bank transfer"})
    assert paid.status_code == 200, paid.content
    assert paid.json()["stage"] == "paid" and paid.json()["version"] == 2
    assert paid.json()["paid_at"] and paid["ETag"] == '"2"'
    cancelled = api.patch(url, {"stage": "cancelled"}, if_match='"2"')
    assert cancelled.status_code == 200 and cancelled.json()["next_stages"] == []
    assert reserved(shop["chair"]) == 0  # a cancelled order gives its stock back
    changes = AuditEntry.objects.filter(
        object_id=order["id"], content_type__model="order", action="update"
    )
    assert [e.changes["stage"][1] for e in changes.order_by("id")] == ["paid", "cancelled"]
    assert {e.source for e in changes} == {"api"}


def test_a_stale_if_match_is_refused_with_409_and_changes_nothing(api, shop, admin):
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop)]
    )
    services.add_line(
        actor=admin, order=order, product=shop["desk"], quantity=1
    )  # someone else added one: version 2
    stale = api.patch(f"/api/v1/orders/{order.pk}", {"stage": "cancelled"}, if_match='"1"')
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    stale_line = api.post(f"/api/v1/orders/{order.pk}/lines", line(shop["chair"]), if_match='"1"')
    assert stale_line.status_code == 409
    stale_check = api.patch(f"/api/v1/orders/{order.pk}", {"version": 1})
    assert stale_check.status_code == 409
    order.refresh_from_db()
    assert order.stage.key == "placed" and order.version == 2 and order.lines.count() == 2


def line_of(shop, quantity=1):
    return {"product": shop["chair"], "quantity": quantity}


def test_a_line_is_added_at_todays_price_before_payment(api, shop, admin):
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop)]
    )
    url = f"/api/v1/orders/{order.pk}/lines"
    added = api.post(url, {**line(shop["desk"]), "unit_price": "1200.50", "version": 1})
    assert added.status_code == 201, added.content
    assert added.json()["version"] == 2 and len(added.json()["lines"]) == 2
    assert added.json()["total"] == "1844.05"  # 535.50 + 1308.55
    outdated = api.post(url, line(shop["chair"], unit_price="1.00"))
    assert outdated.status_code == 422 and "is now 450.00" in outdated.json()["detail"][0]["msg"]
    no_stock = api.post(url, line(shop["desk"]))
    assert no_stock.status_code == 422
    assert api.post(url, {"product_id": 999999, "quantity": 1}).status_code == 422
    order.refresh_from_db()
    assert order.lines.count() == 2 and order.version == 2


def test_the_same_idempotency_key_twice_makes_one_order(api, shop):
    body = order_body(shop, line(shop["chair"]))
    first = api.post("/api/v1/orders/", body, idempotency_key="shop-1001")
    again = api.post("/api/v1/orders/", body, idempotency_key="shop-1001")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and reserved(shop["chair"]) == 1
    other = api.post(
        "/api/v1/orders/", order_body(shop, line(shop["chair"], 2)), idempotency_key="shop-1001"
    )
    assert other.status_code == 422 and Order.objects.count() == 1


def test_a_read_token_cannot_write(api_for, admin, shop):
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop)]
    )
    reader = api_for(admin, ("orders:read", "products:read", "invoices:read", "shipments:read"))
    assert reader.get("/api/v1/orders/").status_code == 200
    assert reader.get(f"/api/v1/orders/{order.pk}").status_code == 200
    refused = [
        reader.post("/api/v1/orders/", order_body(shop, line(shop["chair"]))),
        reader.patch(f"/api/v1/orders/{order.pk}", {"stage": "cancelled"}),
        reader.post(f"/api/v1/orders/{order.pk}/lines", line(shop["chair"])),
        reader.post("/api/v1/products/", {"sku": "X-1", "name": "X"}),
        reader.post("/api/v1/invoices/", {"order_id": order.pk}),
        reader.post(
            "/api/v1/shipments/",
            {"order_id": order.pk, "carrier_id": 1, "lines": [{"line_id": 1, "quantity": 1}]},
        ),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    assert "orders:write" in refused[0].json()["detail"]
    deals_only = api_for(admin, ("deals:write",))
    assert deals_only.get("/api/v1/orders/").status_code == 403
    order.refresh_from_db()
    assert Order.objects.count() == 1 and order.stage.key == "placed"
    assert Invoice.objects.count() == 0


def test_another_teams_order_is_404_and_stays_as_it_was(api_for, settings):
    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    owner = create_user(email="b@firma-b.ro", team=team_named("B"), role=role_named("manager"))
    shop = build_shop(owner)
    theirs = services.create_order_for_customer(
        actor=owner, customer=shop["contact"], lines=[line_of(shop)]
    )
    rep = create_user(
        email="rep@firma-a.ro", team=team_named("A"), role=role_named("sales-representative")
    )
    api = api_for(rep, WRITE)
    url = f"/api/v1/orders/{theirs.pk}"
    assert api.get(url).status_code == 404
    assert api.get(url).json() == {"detail": "Not found."}
    assert api.patch(url, {"stage": "cancelled"}).status_code == 404
    assert api.post(f"{url}/lines", line(shop["chair"])).status_code == 404
    assert api.get("/api/v1/orders/").json()["items"] == []
    for_them = api.post("/api/v1/orders/", order_body(shop, line(shop["chair"])))
    assert for_them.status_code == 422  # their contact: no such contact, for this rep
    assert for_them.json()["detail"][0]["loc"] == ["body", "contact_id"]
    invoice = api.post("/api/v1/invoices/", {"order_id": theirs.pk})
    assert invoice.status_code == 422 and invoice.json()["detail"][0]["loc"] == ["body", "order_id"]
    parcel = api.post(
        "/api/v1/shipments/",
        {
            "order_id": theirs.pk,
            "carrier_id": shop["carrier"].pk,
            "lines": [{"line_id": theirs.lines.get().pk, "quantity": 1}],
        },
    )
    assert parcel.status_code == 422
    theirs.refresh_from_db()
    assert theirs.stage.key == "placed" and theirs.version == 1 and theirs.lines.count() == 1
    assert Invoice.objects.count() == 0 and Shipment.objects.count() == 0
    assert Order.objects.count() == 1


def test_invoice_issue_payment_and_pdf(api, api_for, shop, admin):
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop, 2)]
    )
    issued = api.post("/api/v1/invoices/", {"order_id": order.pk})
    assert issued.status_code == 201, issued.content
    invoice = issued.json()
    assert invoice["number"] == "INV-000001" and invoice["order_id"] == order.pk
    assert invoice["total"] == "1071.00" and invoice["paid"] == "0.00"
    assert invoice["lines"][0]["quantity"] == 2 and not invoice["cancelled"]
    again = api.post("/api/v1/invoices/", {"order_id": order.pk})
    assert again.status_code == 422 and "invoiced already" in again.json()["detail"][0]["msg"]
    assert api.patch(f"/api/v1/invoices/{invoice['id']}", {"total": 1}).status_code == 405
    assert api.delete(f"/api/v1/invoices/{invoice['id']}").status_code == 405

    too_much = api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": "2000"})
    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["loc"] == ["body", "amount"]
    paid = api.post(
        f"/api/v1/invoices/{invoice['id']}/payments",
        {"amount": "1071.00", "received_on": "2026-01-05", "method": "transfer"},
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["paid"] == "1071.00" and paid.json()["payments"][0]["method"] == "transfer"
    order.refresh_from_db()
    assert order.stage.key == "paid"

    pdf = api.get(f"/api/v1/invoices/{invoice['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    listed = api.get(f"/api/v1/invoices/?order={order.pk}").json()["items"]
    assert [i["number"] for i in listed] == ["INV-000001"]


def test_amounts_are_left_out_and_the_pdf_refused_without_see_sensitive(api_for, admin):
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    shop = build_shop(rep)
    order = services.create_order_for_customer(
        actor=rep, customer=shop["contact"], lines=[line_of(shop)]
    )
    from clientela.orders import invoicing

    invoice = invoicing.issue_invoice(actor=rep, order=order)
    api = api_for(rep, WRITE)
    body = api.get(f"/api/v1/orders/{order.pk}").json()
    assert body["total"] is None and body["lines"][0]["unit_price"] is None
    assert api.get("/api/v1/orders/").json()["items"][0]["net_total"] is None
    assert api.get(f"/api/v1/invoices/{invoice.pk}").json()["total"] is None
    assert api.get("/api/v1/products/").json()["items"][0]["prices"] is None
    refused = api.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/json")
    # A price sent by a role that may not see prices is not compared: no price is told.
    created = api.post(
        "/api/v1/orders/",
        order_body(shop, line(shop["chair"], unit_price="1.00")),
    )
    assert created.status_code == 201 and "450" not in created.content.decode()
    shown = api_for(admin, WRITE).get(f"/api/v1/orders/{order.pk}").json()
    assert shown["total"] == "535.50"


def test_a_shipment_is_created_for_an_order_and_tracked(api, shop, admin, settings):
    settings.ORDERS_SHIP_BEFORE_PAYMENT = False
    order = services.create_order_for_customer(
        actor=admin,
        customer=shop["contact"],
        lines=[line_of(shop, 2), {"product": shop["desk"], "quantity": 1}],
    )
    chair_line, desk_line = order.lines.all()
    body = {
        "order_id": order.pk,
        "carrier_id": shop["carrier"].pk,
        "tracking_number": "AWB 123",
        "lines": [
            {"line_id": chair_line.pk, "quantity": 2},
            {"line_id": desk_line.pk, "quantity": 1},
        ],
    }
    unpaid = api.post("/api/v1/shipments/", body)
    assert unpaid.status_code == 422 and "not paid" in unpaid.json()["detail"][0]["msg"]
    services.move_order(actor=admin, order=order, to="paid")
    too_many = api.post(
        "/api/v1/shipments/", {**body, "lines": [{"line_id": chair_line.pk, "quantity": 3}]}
    )
    assert too_many.status_code == 422
    no_carrier = api.post("/api/v1/shipments/", {**body, "carrier_id": 999999})
    assert no_carrier.json()["detail"][0]["loc"] == ["body", "carrier_id"]

    created = api.post("/api/v1/shipments/", body)
    assert created.status_code == 201, created.content
    shipment = created.json()
    assert shipment["status"] == "label_created" and shipment["carrier"] == "FAN Courier"
    assert shipment["tracking_url"] == "https://fan.example/awb/AWB%20123"
    assert sorted(x["quantity"] for x in shipment["lines"]) == [1, 2]
    order.refresh_from_db()
    assert order.stage.key == "shipped"  # nothing left to ship

    url = f"/api/v1/shipments/{shipment['id']}/events"
    assert api.post(url, {"status": "lost_in_space"}).status_code == 422
    moving = api.post(url, {"status": "in_transit", "note": "Hub Cluj"})
    assert moving.status_code == 201, moving.content
    delivered = api.post(url, {"status": "delivered"})
    assert [e["status"] for e in delivered.json()["events"]] == [
        "label_created",
        "in_transit",
        "delivered",
    ]
    assert delivered.json()["events"][1]["note"] == "Hub Cluj"
    order.refresh_from_db()
    assert order.stage.key == "delivered"
    assert api.post(url, {"status": "exception"}).status_code == 422
    listed = api.get(f"/api/v1/shipments/?order={order.pk}&status=delivered").json()["items"]
    assert [s["id"] for s in listed] == [shipment["id"]]


def test_the_order_list_filters_pages_by_cursor_and_syncs(api, shop, admin):
    other = services.create_order_for_customer(
        actor=admin, customer=shop["company"], lines=[line_of(shop)]
    )
    orders = [
        services.create_order_for_customer(
            actor=admin, customer=shop["contact"], lines=[line_of(shop)]
        )
        for _ in range(3)
    ]
    quote = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop)], quote=True
    )
    first = api.get("/api/v1/orders/?limit=3").json()
    assert [o["id"] for o in first["items"]] == [quote.pk, orders[2].pk, orders[1].pk]
    rest = api.get(f"/api/v1/orders/?limit=3&cursor={first['next_cursor']}").json()
    assert [o["id"] for o in rest["items"]] == [orders[0].pk, other.pk]
    assert rest["next_cursor"] is None
    by_stage = api.get("/api/v1/orders/?stage=quote").json()["items"]
    assert [o["id"] for o in by_stage] == [quote.pk]
    assert api.get("/api/v1/orders/?stage=nowhere").status_code == 422
    by_contact = api.get(f"/api/v1/orders/?contact={shop['contact'].pk}").json()["items"]
    assert other.pk not in {o["id"] for o in by_contact} and len(by_contact) == 4
    by_company = api.get(f"/api/v1/orders/?company={shop['company'].pk}").json()["items"]
    assert len(by_company) == 5  # the company's and its people's
    assert len(api.get("/api/v1/orders/?owner=me").json()["items"]) == 5

    services.move_order(actor=admin, order=orders[0], to="cancelled")
    synced = api.get("/api/v1/orders/?updated_since=2000-01-01T00:00:00Z").json()["items"]
    assert synced[-1]["id"] == orders[0].pk  # moved last


def test_products_are_listed_and_managed_with_the_admins_permission(api, api_for, shop):
    items = api.get("/api/v1/products/?active=true").json()["items"]
    assert [p["sku"] for p in items] == ["LM-1", "CH-1", "DS-1"]  # by name
    chair = api.get("/api/v1/products/?sku=CH-1").json()["items"][0]
    assert chair["tax_rate"] == "19.00"
    assert chair["prices"] == [
        {
            "price_list_id": shop["price_list"].pk,
            "price_list": "Standard",
            "currency": "RON",
            "unit_price": "450.00",
        }
    ]
    assert [p["sku"] for p in api.get("/api/v1/products/?q=desk").json()["items"]] == [
        "LM-1",
        "DS-1",
    ]
    created = api.post(
        "/api/v1/products/", {"sku": "TB-1", "name": " Meeting  table ", "tax_rate": "9"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Meeting table" and created.json()["unit"] == "pcs"
    duplicate = api.post("/api/v1/products/", {"sku": "TB-1", "name": "Again"})
    assert duplicate.status_code == 422 and duplicate.json()["detail"][0]["loc"] == ["body", "sku"]
    retired = api.patch(f"/api/v1/products/{created.json()['id']}", {"active": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert "TB-1" not in {
        p["sku"] for p in api.get("/api/v1/products/?active=true").json()["items"]
    }
    entry = AuditEntry.objects.get(content_type__model="product", action="update")
    assert entry.changes == {"active": [True, False]} and entry.source == "api"

    manager = create_user(email="m@firma.ro", role=role_named("manager"))
    refused = api_for(manager, ("products:write",)).post(
        "/api/v1/products/", {"sku": "X-1", "name": "X"}
    )
    assert refused.status_code == 403
    assert not Product.objects.filter(sku="X-1").exists()
    # An order can't take a retired product.
    retired_line = api.post(
        "/api/v1/orders/", order_body(shop, {"product_id": created.json()["id"], "quantity": 1})
    )
    assert retired_line.status_code == 422 and "no longer sold" in retired_line.content.decode()


def test_order_invoice_and_shipment_events_are_declared_and_raised(admin, shop, settings):
    from clientela.orders import invoicing, shipping

    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    assert {"order.created", "order.updated", "invoice.issued", "shipment.updated"} <= set(
        events.names()
    )
    seen = []
    events.listen(seen.extend)
    try:
        order = services.create_order_for_customer(
            actor=admin, customer=shop["contact"], lines=[line_of(shop)]
        )
        invoicing.issue_invoice(actor=admin, order=order)
        shipment = shipping.create_shipment(
            actor=admin, order=order, carrier=shop["carrier"], quantities={order.lines.get().pk: 1}
        )
        shipping.update_shipment(actor=admin, shipment=shipment, status="in_transit")
    finally:
        events._LISTENERS.remove(seen.extend)
    assert [e.name for e in seen] == [
        "order.created",
        "invoice.issued",
        "shipment.created",
        "order.updated",  # nothing left to ship: shipped
        "shipment.updated",
    ]


def test_the_token_page_offers_the_order_scopes(user_client):
    page = user_client.get("/account/api-tokens/").content.decode()
    for scope in (
        "orders:read",
        "orders:write",
        "products:write",
        "invoices:write",
        "shipments:write",
    ):
        assert f'value="{scope}"' in page


def test_an_order_webhook_carries_the_order_as_the_api_shows_it(admin, shop):
    from clientela.webhooks.models import Delivery, Subscription

    Subscription.objects.create(
        owner=admin, url="http://127.0.0.1:9/hook", events=["order.created"], secret="s"
    )
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[line_of(shop)]
    )
    delivery = Delivery.objects.get(event="order.created")
    assert delivery.payload["data"]["id"] == order.pk
    assert delivery.payload["data"]["total"] == str(Decimal("535.50"))
