"""The settings lists in the app (core.settings_pages): every declared list opens from
Settings, adds, changes, refuses what is wrong with a message beside the field, refuses to
delete what is in use and says what uses it, and puts a deleted row back; all audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.html import escape

from clientela.core import settings_pages
from clientela.core.models import AuditEntry, CustomField
from clientela.customers import services as customers
from clientela.customers.models import Contact, LifecycleStage, Tag
from clientela.orders import invoicing
from clientela.orders import services as orders
from clientela.orders.models import (
    Carrier,
    Product,
    SellerDetails,
    StockLevel,
    StockMovement,
    Warehouse,
)
from clientela.users.services import role_named
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def shop(admin):
    return build_shop(admin)


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_list_is_a_card_on_the_settings_page_and_opens(admin_client, shop):
    settings_page = page_text(admin_client, "/settings/")
    for key, page in settings_pages.PAGES.items():
        assert f'href="/settings/{key}/"' in settings_page, key
        assert escape(str(page.label)) in page_text(admin_client, f"/settings/{key}/")
        if page.single is None:
            assert escape(str(page.add_label)) in page_text(admin_client, f"/settings/{key}/new/")


def test_a_product_is_added_changed_and_audited(admin_client, admin):
    response = admin_client.post(
        "/settings/products/new/",
        {"name": "  Meeting   table ", "sku": "TB-1", "unit": "pcs", "tax_rate": "19"},
    )
    assert response.status_code == 302 and response["Location"] == "/settings/products/"
    table = Product.objects.get(sku="TB-1")
    assert table.name == "Meeting table" and table.active is False  # unticked box
    listed = page_text(admin_client, "/settings/products/")
    assert "Meeting table" in listed and "TB-1" in listed and "19%" in listed
    response = admin_client.post(
        f"/settings/products/{table.pk}/",
        {"name": "Meeting table", "sku": "TB-1", "unit": "pcs", "tax_rate": "9", "active": "on"},
    )
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.tax_rate == Decimal("9") and table.active
    entries = AuditEntry.objects.filter(content_type__model="product").order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    changes = entries[1].changes
    assert set(changes) == {"tax_rate", "active"} and changes["active"] == [False, True]
    assert [Decimal(rate) for rate in changes["tax_rate"]] == [19, 9]
    assert entries[1].actor == admin and entries[1].source == "ui"


def test_bad_input_is_refused_beside_the_field(admin_client, shop):
    duplicate = admin_client.post(
        "/settings/products/new/", {"name": "Chair", "sku": "CH-1", "unit": "pcs", "tax_rate": "19"}
    )
    assert duplicate.status_code == 400
    assert "Product with this SKU already exists." in duplicate.content.decode()
    link = admin_client.post(
        "/settings/carriers/new/", {"name": "Cargus", "tracking_url_template": "cargus.ro"}
    )
    assert link.status_code == 400
    assert "holding {tracking}" in link.content.decode()
    assert not Carrier.objects.filter(name="Cargus").exists()
    price = admin_client.post(
        "/settings/prices/new/",
        {
            "price_list": shop["price_list"].pk,
            "product": shop["chair"].pk,
            "unit_price": "500",
        },
    )
    assert price.status_code == 400
    assert "This product has a price on this list already." in price.content.decode()
    tag = Tag.objects.create(name="VIP")
    again = admin_client.post("/settings/tags/new/", {"name": "vip", "color": "red"})
    assert again.status_code == 400 and "A tag “vip” exists already." in again.content.decode()
    assert Tag.objects.get() == tag


def test_what_is_in_use_is_not_deleted_and_the_page_says_what_uses_it(admin_client, admin, shop):
    orders.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    chair = shop["chair"]
    response = admin_client.post(f"/settings/products/{chair.pk}/delete/", follow=True)
    text = response.content.decode()
    assert escape("“Office chair (CH-1)” can't be deleted: it is used by") in text
    assert "1 order line" in text and "1 price" in text
    assert Product.objects.filter(pk=chair.pk).exists()
    stage = shop["contact"].lifecycle_stage
    other = LifecycleStage.objects.exclude(pk=stage.pk).exclude(is_default=True).first()
    customers.update_contact(
        actor=admin,
        contact=shop["contact"],
        data={"lifecycle_stage": other},
        expected_version=None,
    )
    response = admin_client.post(f"/settings/lifecycle-stages/{other.pk}/delete/", follow=True)
    text = response.content.decode()
    assert escape(f"“{other.name}” can't be deleted: it is used by") in text
    assert "1 contact" in text
    assert LifecycleStage.objects.filter(pk=other.pk).exists()


def test_a_deleted_row_is_put_back_as_it_was(admin_client, admin):
    carrier = Carrier.objects.create(
        name="Sameday", tracking_url_template="https://sameday.ro/awb/{tracking}"
    )
    response = admin_client.post(f"/settings/carriers/{carrier.pk}/delete/", follow=True)
    assert "“Sameday” deleted." in response.content.decode()
    assert not Carrier.objects.exists()
    listed = page_text(admin_client, "/settings/carriers/")
    assert "Deleted lately" in listed and "Sameday" in listed
    entry = AuditEntry.objects.get(content_type__model="carrier", action="delete")
    response = admin_client.post(f"/settings/carriers/restore/{entry.pk}/", follow=True)
    assert "“Sameday” is back." in response.content.decode()
    back = Carrier.objects.get()
    assert back.pk == carrier.pk and back.tracking_url_template.endswith("{tracking}")
    assert "Deleted lately" not in page_text(admin_client, "/settings/carriers/")
    assert AuditEntry.objects.filter(content_type__model="carrier", action="restore").exists()


def test_a_custom_field_keeps_its_values_through_delete_and_put_back(admin_client, admin):
    missing = admin_client.post(
        "/settings/custom-fields/new/",
        {"record_type": "contact", "label": "Size", "key": "size", "field_type": "choice"},
    )
    assert missing.status_code == 400
    assert "Give the choices, one per line." in missing.content.decode()
    created = admin_client.post(
        "/settings/custom-fields/new/",
        {
            "record_type": "contact",
            "label": "Size",
            "key": "size",
            "field_type": "choice",
            "choices": "Small\n Large \n\nSmall",
            "position": "1",
        },
    )
    assert created.status_code == 302
    field = CustomField.objects.get()
    assert field.choices == ["Small", "Large"]
    contact = customers.create_contact(
        actor=admin, data={"full_name": "Ioana Marin", "custom": {"size": "Large"}}
    )
    shown = "<dt>Size</dt><dd>Large</dd>"
    assert shown in page_text(admin_client, contact.get_absolute_url())
    admin_client.post(f"/settings/custom-fields/{field.pk}/delete/")
    assert not CustomField.objects.exists()
    assert shown not in page_text(admin_client, contact.get_absolute_url())
    assert Contact.objects.get().custom == {"size": "Large"}  # the value stays
    entry = AuditEntry.objects.get(content_type__model="customfield", action="delete")
    admin_client.post(f"/settings/custom-fields/restore/{entry.pk}/")
    assert CustomField.objects.get().choices == ["Small", "Large"]
    assert shown in page_text(admin_client, contact.get_absolute_url())


def test_one_default_warehouse_and_the_default_is_not_deleted(admin_client):
    admin_client.post("/settings/warehouses/new/", {"name": "Cluj", "is_default": "on"})
    admin_client.post("/settings/warehouses/new/", {"name": "Iași", "is_default": "on"})
    assert list(Warehouse.objects.filter(is_default=True).values_list("name", flat=True)) == [
        "Iași"
    ]
    iasi = Warehouse.objects.get(name="Iași")
    response = admin_client.post(f"/settings/warehouses/{iasi.pk}/delete/", follow=True)
    assert "is the default: make another one the default first" in response.content.decode()


def test_goods_received_and_counted_move_the_stock(admin_client, shop):
    chair, cluj = shop["chair"], shop["warehouse"]
    form = {"product": chair.pk, "warehouse": cluj.pk, "kind": "received", "quantity": "5"}
    assert admin_client.post("/settings/stock/new/", form).status_code == 302
    assert StockLevel.objects.get(product=chair, warehouse=cluj).on_hand == 15
    counted = {**form, "kind": "adjusted", "quantity": "12", "note": "inventory"}
    assert admin_client.post("/settings/stock/new/", counted).status_code == 302
    level = StockLevel.objects.get(product=chair, warehouse=cluj)
    assert level.on_hand == 12
    assert StockMovement.objects.filter(product=chair, kind="adjusted", quantity=-3).exists()
    listed = page_text(admin_client, "/settings/stock/")
    assert "Office chair" in listed and ">12<" in listed
    nothing = admin_client.post("/settings/stock/new/", {**form, "quantity": "0"})
    assert (
        nothing.status_code == 400 and "Receive a quantity above zero." in nothing.content.decode()
    )


def test_prices_are_listed_by_price_list_and_a_new_one_starts_on_it(admin_client, shop):
    listed = page_text(admin_client, "/settings/price-lists/")
    assert f'href="/settings/prices/?price_list={shop["price_list"].pk}"' in listed
    prices = page_text(admin_client, f"/settings/prices/?price_list={shop['price_list'].pk}")
    assert "1,200.50 RON" in prices and "Prices: Standard" in prices
    new = page_text(admin_client, f"/settings/prices/new/?price_list={shop['price_list'].pk}")
    assert f'<option value="{shop["price_list"].pk}" selected>' in new


def test_the_catalogue_is_for_roles_that_manage_it(client, make_user, shop):
    manager = make_user(email="m@firma.ro", role=role_named("manager"))
    client.force_login(manager)
    assert client.get("/settings/products/").status_code == 403
    assert client.get("/settings/").status_code == 403  # no settings of any kind
    role = manager.role
    role.permissions["capabilities"].append("manage_catalogue")
    role.save()
    assert client.get("/settings/products/").status_code == 200
    cards = client.get("/settings/").content.decode()
    assert 'href="/settings/products/"' in cards and 'href="/settings/tags/"' not in cards
    assert client.get("/settings/prices/").status_code == 200  # a manager sees amounts
    assert client.get("/settings/tags/").status_code == 403  # manage_settings
    rep = make_user(email="rep@firma.ro", role=role_named("sales-representative"))
    rep.role.permissions["capabilities"].append("manage_catalogue")
    rep.role.save()
    client.force_login(rep)
    assert client.get("/settings/products/").status_code == 200
    assert client.get("/settings/prices/").status_code == 403  # no amounts for this role
    assert client.post("/settings/carriers/new/", {"name": "Cargus"}).status_code == 302
    assert Carrier.objects.filter(name="Cargus").exists()


def test_the_seller_starts_from_the_environment_and_invoices_print_what_is_saved(
    admin_client, admin, shop, settings
):
    settings.SELLER = {**settings.SELLER, "name": "Mobila Env SRL", "payment_days": 30}
    form = page_text(admin_client, "/settings/seller/")
    assert 'value="Mobila Env SRL"' in form and 'value="30"' in form
    bad = admin_client.post(
        "/settings/seller/",
        {"name": "Mobila SRL", "iban": "RO49 AAAA 1B31 0075 9384 0001", "payment_days": "30"},
    )
    assert bad.status_code == 400 and "check digits do not match" in bad.content.decode()
    saved = admin_client.post(
        "/settings/seller/",
        {
            "name": "Mobila SRL",
            "address": "Str. Lungă 2, Cluj-Napoca",
            "tax_id": "RO111",
            "registration_number": "J12/345/2020",
            "bank": "Banca Transilvania",
            "iban": "ro49aaaa1b31007593840000",
            "payment_days": "10",
        },
    )
    assert saved.status_code == 302
    seller = SellerDetails.objects.get()
    assert seller.iban == "RO49 AAAA 1B31 0075 9384 0000"
    order = orders.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    invoice = invoicing.issue_invoice(actor=admin, order=order)
    assert invoice.seller["name"] == "Mobila SRL"
    assert invoice.seller["bank_account"] == "RO49 AAAA 1B31 0075 9384 0000"
    assert (invoice.due_on - invoice.issued_at.date()).days == 10
    assert AuditEntry.objects.filter(content_type__model="sellerdetails").count() == 1
