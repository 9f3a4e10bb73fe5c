"""Order stages kept in the app (Settings → Order stages): listed in their order, added,
renamed, moved and switched off; the built-in stages the code relies on keep their key and
are never deleted or switched off; a stage switched off is offered to no order."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.core import change_display, settings_pages, settings_services
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
    # The first column links each row to its form.
    assert [page.index(f">{name}</a>") for name in names] == sorted(
        page.index(f">{name}</a>") for name in names
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


def _stage(key):
    return OrderStage.objects.get(key=key)


def test_which_stage_may_follow_which_is_kept_on_the_form_audited_and_followed(admin_client, admin):
    shipped, cancelled = _stage("shipped"), _stage("cancelled")
    form = admin_client.get(f"{PAGE}new/").content.decode()
    assert "May move on to" in form
    added = admin_client.post(
        f"{PAGE}new/",
        {
            "name": "Packed",
            "key": "packed",
            "position": "25",
            "active": "on",
            "next_stages": [shipped.pk, cancelled.pk],
        },
    )
    assert added.status_code == 302
    packed = _stage("packed")
    assert set(packed.next_stages.values_list("key", flat=True)) == {"shipped", "cancelled"}
    paid = _stage("paid")
    assert (
        admin_client.post(
            f"{PAGE}{paid.pk}/",
            {"name": "Paid", "position": "20", "next_stages": [packed.pk, cancelled.pk]},
        ).status_code
        == 302
    )
    assert set(paid.next_stages.values_list("key", flat=True)) == {"packed", "cancelled"}

    entry = AuditEntry.objects.filter(object_id=paid.pk, action="update").get()
    assert entry.actor == admin
    shown = {
        c.label: (c.before, c.after) for c in change_display.readable(OrderStage, entry.changes)
    }
    assert shown == {"May move on to": ("Shipped, Cancelled", "Cancelled, Packed")}

    page = admin_client.get(PAGE).content.decode()
    assert "Packed, Cancelled" in page and "Shipped, Cancelled" in page  # in stage order

    shop = build_shop(admin)
    order = services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
    )
    services.move_order(actor=admin, order=order, to="paid")
    assert "Mark Packed" in admin_client.get(order.get_absolute_url()).content.decode()
    with pytest.raises(ValidationError, match="can't go from"):
        services.move_order(actor=admin, order=order, to="shipped")
    services.move_order(actor=admin, order=order, to="packed")


def test_a_stage_never_leads_to_itself_nor_to_one_switched_off(admin_client, admin):
    placed = _stage("placed")
    before = set(placed.next_stages.values_list("pk", flat=True))
    refused = admin_client.post(
        f"{PAGE}{placed.pk}/", {"name": "Placed", "position": "10", "next_stages": [placed.pk]}
    )
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    page = settings_pages.PAGES["order-stages"]
    off = OrderStage.objects.create(key="held", name="Held", position=15, active=False)
    form = admin_client.get(f"{PAGE}{placed.pk}/").content.decode()
    assert ">Held<" not in form.replace("\n", "").replace(" ", "") and "Held" not in form
    for chosen, message in (
        ([placed], "A stage can't lead to itself."),
        ([off], "“Held” is switched off"),
    ):
        with pytest.raises(ValidationError, match=message):
            settings_services.save_setting(
                actor=admin, page=page, instance=placed, data={"next_stages": chosen}
            )
    assert set(placed.next_stages.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.filter(object_id=placed.pk, action="update").exists()


def test_built_in_stages_lead_only_along_the_steps_stock_follows(admin_client):
    cancelled, placed = _stage("cancelled"), _stage("placed")
    refused = admin_client.post(
        f"{PAGE}{cancelled.pk}/",
        {"name": "Cancelled", "position": "50", "next_stages": [placed.pk]},
    )
    assert refused.status_code == 400
    assert "“Cancelled” can&#x27;t lead to “Placed”" in refused.content.decode()
    assert not cancelled.next_stages.exists()
    own = OrderStage.objects.create(key="packed", name="Packed", position=25)
    assert (
        admin_client.post(
            f"{PAGE}{cancelled.pk}/",
            {"name": "Cancelled", "position": "50", "next_stages": [own.pk]},
        ).status_code
        == 302
    )
    assert list(cancelled.next_stages.values_list("key", flat=True)) == ["packed"]


def test_a_deleted_stage_comes_back_with_where_it_led(admin_client):
    own = OrderStage.objects.create(key="packed", name="Packed", position=25)
    own.next_stages.add(_stage("shipped"))
    assert admin_client.post(f"{PAGE}{own.pk}/delete/").status_code == 302
    entry = AuditEntry.objects.get(object_id=own.pk, action="delete")
    assert admin_client.post(f"{PAGE}restore/{entry.pk}/").status_code == 302
    assert list(_stage("packed").next_stages.values_list("key", flat=True)) == ["shipped"]


def test_only_roles_that_keep_the_catalogue_change_transitions(make_user, client):
    services.ensure_builtin_stages()
    rep = make_user(email="rep@firma.ro", full_name="Radu Rep")
    client.force_login(rep)
    placed = _stage("placed")
    response = client.post(f"{PAGE}{placed.pk}/", {"name": "Placed", "next_stages": []})
    assert response.status_code == 403
    assert placed.next_stages.count() == 3
    with pytest.raises(PermissionDenied):
        settings_services.save_setting(
            actor=rep,
            page=settings_pages.PAGES["order-stages"],
            instance=placed,
            data={"next_stages": []},
        )
