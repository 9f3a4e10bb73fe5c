"""Order stages kept in the app (Settings → Order stages): listed in their order, added,
renamed, moved and switched off; the built-in stages the code relies on keep their key and
are never deleted or switched off; a stage switched off is offered to no order."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clientela.core import settings_pages, settings_services
from clientela.core.models import AuditEntry
from clientela.orders import services
from clientela.orders.models import OrderStage
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db

PAGE = "/settings/order-stages/"


@pytest.fixture
def admin(make_user):
    services.ensure_builtin_stages()
    return make_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_list_shows_the_stages_in_their_order(admin_client):
    page = admin_client.get(PAGE).content.decode()
    names = ["Quote", "Placed", "Paid", "Shipped", "Delivered", "Cancelled", "Returned"]
    assert [page.index(f">{name}<") for name in names] == sorted(
        page.index(f">{name}<") for name in names
    )
    assert "New order stage" in page


def test_a_stage_is_added_renamed_moved_and_switched_off_audited(admin_client, admin):
    added = admin_client.post(
        f"{PAGE}new/", {"name": "  Packed ", "key": "packed", "position": "25", "active": "on"}
    )
    assert added.status_code == 302
    packed = OrderStage.objects.get(key="packed")
    assert (packed.name, packed.position, packed.active, packed.builtin) == (
        "Packed",
        25,
        True,
        False,
    )
    changed = admin_client.post(
        f"{PAGE}{packed.pk}/", {"name": "Packed and weighed", "key": "packed", "position": "5"}
    )
    assert changed.status_code == 302
    packed.refresh_from_db()
    assert (packed.name, packed.position, packed.active) == ("Packed and weighed", 5, False)
    entry = AuditEntry.objects.filter(object_id=packed.pk, action="update").get()
    assert entry.changes["active"] == [True, False] and entry.actor == admin
    page = admin_client.get(PAGE).content.decode()
    assert page.index("Packed and weighed") < page.index(">Placed<")


def test_a_built_in_stage_is_renamed_but_keeps_its_key_and_stays_on(admin_client):
    paid = OrderStage.objects.get(key="paid")
    form = admin_client.get(f"{PAGE}{paid.pk}/").content.decode()
    assert "Built in: the application relies on it." in form
    response = admin_client.post(
        f"{PAGE}{paid.pk}/", {"name": "Achitată", "key": "money", "position": "20"}
    )
    assert response.status_code == 302
    paid.refresh_from_db()
    assert (paid.key, paid.name, paid.active, paid.position) == ("paid", "Achitată", True, 20)


def test_the_service_refuses_a_built_in_key_change_or_switching_one_off(admin):
    page = settings_pages.PAGES["order-stages"]
    shipped = OrderStage.objects.get(key="shipped")
    for data in ({"key": "sent"}, {"active": False}):
        with pytest.raises(ValidationError):
            settings_services.save_setting(actor=admin, page=page, instance=shipped, data=data)
    shipped.refresh_from_db()
    assert (shipped.key, shipped.active) == ("shipped", True)


def test_a_built_in_stage_is_never_deleted_an_unused_own_one_is(admin_client):
    delivered = OrderStage.objects.get(key="delivered")
    refused = admin_client.post(f"{PAGE}{delivered.pk}/delete/", follow=True)
    assert "“Delivered” is built in: orders rely on it, so it can&#x27;t be deleted." in (
        refused.content.decode()
    )
    assert OrderStage.objects.filter(key="delivered").exists()
    own = OrderStage.objects.create(key="packed", name="Packed", position=25)
    assert admin_client.post(f"{PAGE}{own.pk}/delete/").status_code == 302
    assert not OrderStage.objects.filter(key="packed").exists()


def test_a_stage_switched_off_is_offered_to_no_order(admin, client):
    shop = build_shop(admin)
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    packed = OrderStage.objects.create(key="packed", name="Packed", position=25, active=False)
    order.stage.next_stages.add(packed)
    client.force_login(admin)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Mark Packed" not in page
    with pytest.raises(ValidationError, match="switched off"):
        services.move_order(actor=admin, order=order, to="packed")
    OrderStage.objects.filter(pk=packed.pk).update(active=True)
    assert "Mark Packed" in client.get(order.get_absolute_url()).content.decode()
    services.move_order(actor=admin, order=order, to="packed")
    order.refresh_from_db()
    assert order.stage == packed
