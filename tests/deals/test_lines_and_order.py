"""A deal's product lines (its amount is their total) and a won deal turned into an order."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.core.concurrency import StaleRecordError
from clientela.core.models import AuditEntry
from clientela.deals import services
from clientela.deals.models import Deal
from clientela.orders.models import Order, Price, PriceList, StockLevel, StockMovement
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop


@pytest.fixture
def shop(people):
    return build_shop(people[0])


@pytest.fixture
def deal(people, pipeline, shop):
    return services.create_deal(
        actor=people[0], data={"name": "Office for 12", "company": shop["company"]}
    )


def add(deal, product, quantity, **terms):
    deal.refresh_from_db()
    return services.add_deal_line(
        actor=deal.owner,
        deal=deal,
        product=product,
        quantity=quantity,
        expected_version=deal.version,
        **terms,
    )


def win(deal):
    deal.refresh_from_db()
    return services.close_deal(
        actor=deal.owner, deal=deal, outcome="won", expected_version=deal.version
    )


def audited(deal) -> list[dict]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Deal), object_id=deal.pk
        )
        .order_by("id")
        .values_list("changes", flat=True)
    )


def test_the_lines_total_is_the_deal_amount_audited_and_version_checked(deal, shop):
    add(deal, shop["chair"], 2)  # 2 at 450.00 from the price list
    add(deal, shop["desk"], 1, unit_price="1000", discount="10")  # agreed: 900.00
    deal.refresh_from_db()
    assert deal.amount == Decimal("1800.00") and deal.currency == "RON"
    assert [line.net for line in deal.lines.all()] == [Decimal("900.00"), Decimal("900.00")]
    changes = audited(deal)[-1]
    assert changes["amount"] == ["900.00", "1800.00"]
    assert changes["lines"][1] == ["2 x CH-1 @ 450.00", "1 x DS-1 @ 1000.00 -10.00%"]

    chair = deal.lines.get(product=shop["chair"])
    with pytest.raises(StaleRecordError):  # the page was opened before the desk was added
        services.change_deal_line(
            actor=deal.owner,
            deal=deal,
            line=chair,
            quantity=5,
            expected_version=deal.version - 1,
        )
    services.change_deal_line(
        actor=deal.owner, deal=deal, line=chair, quantity=3, expected_version=deal.version
    )
    deal.refresh_from_db()
    assert deal.amount == Decimal("2250.00")
    # The amount is the lines': it can't be typed over, nor the currency changed.
    with pytest.raises(ValidationError, match="total of its products"):
        services.update_deal(
            actor=deal.owner, deal=deal, data={"amount": "5"}, expected_version=deal.version
        )
    deal.refresh_from_db()
    with pytest.raises(ValidationError, match="priced in RON"):
        services.update_deal(
            actor=deal.owner, deal=deal, data={"currency": "EUR"}, expected_version=deal.version
        )
    deal.refresh_from_db()
    services.remove_deal_line(
        actor=deal.owner, deal=deal, line=chair, expected_version=deal.version
    )
    deal.refresh_from_db()
    assert deal.amount == Decimal("900.00") and deal.lines.count() == 1


@pytest.mark.parametrize(
    ("quantity", "terms", "message"),
    [
        ("0", {}, "1 to 100000"),
        ("two", {}, "whole number"),
        ("1", {"unit_price": "abc"}, "Enter an amount"),
        ("1", {"discount": "120"}, "0 to 100%"),
    ],
)
def test_bad_line_input_is_refused_with_a_message(deal, shop, quantity, terms, message):
    with pytest.raises(ValidationError, match=message):
        add(deal, shop["chair"], quantity, **terms)
    deal.refresh_from_db()
    assert deal.lines.count() == 0 and deal.version == 1


def test_the_default_price_is_the_customers_price_list_valid_today(deal, shop):
    today = timezone.localdate()
    own = PriceList.objects.create(name="Fabrica 2026", currency="RON", company=shop["company"])
    Price.objects.create(price_list=own, product=shop["chair"], unit_price=Decimal("400.00"))
    expired = PriceList.objects.create(
        name="Fabrica old",
        currency="RON",
        company=shop["company"],
        valid_until=today - datetime.timedelta(days=1),
    )
    Price.objects.create(price_list=expired, product=shop["chair"], unit_price=Decimal("1.00"))
    add(deal, shop["chair"], 1)
    assert deal.lines.get().unit_price == Decimal("400.00")
    with pytest.raises(ValidationError, match="has no price on the price list"):
        add(deal, shop["desk"], 1)  # not on the company's own list


def test_a_role_without_amounts_adds_lines_at_list_price_and_sees_none(client, people, shop):
    rep = create_user(
        email="rep@firma.ro", role=role_named("sales-representative"), team=people[0].team
    )
    deal = services.create_deal(actor=rep, data={"name": "Rep deal", "company": shop["company"]})
    add(deal, shop["chair"], 2, unit_price="1", discount="50")
    deal.refresh_from_db()
    assert deal.lines.get().unit_price == Decimal("450.00") and deal.amount == Decimal("900.00")
    client.force_login(rep)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Office chair" in page and "•••" in page
    assert "450" not in page and "900" not in page


def test_a_won_deal_becomes_an_order_with_its_lines_and_agreed_prices(client, deal, shop):
    add(deal, shop["chair"], 2, unit_price="420")
    add(deal, shop["lamp"], 3, discount="10")  # 99.90 less 10% = 89.91
    win(deal)
    client.force_login(deal.owner)
    response = client.post(f"/deals/{deal.pk}/order/", {"version": deal.version})
    deal.refresh_from_db()
    order = deal.order
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.company == shop["company"] and not order.is_quote
    lines = [(line.product, line.quantity, line.unit_price) for line in order.lines.all()]
    assert lines == [
        (shop["chair"], 2, Decimal("420.00")),
        (shop["lamp"], 3, Decimal("89.91")),
    ]
    assert order.net_total == deal.amount == Decimal("1109.73")
    assert StockLevel.objects.get(product=shop["chair"]).reserved == 2
    # Linked both ways, on both timelines, and in the deal's audit trail.
    order_page = client.get(order.get_absolute_url()).content.decode()
    assert deal.get_absolute_url() in order_page and "Office for 12" in order_page
    deal_page = client.get(deal.get_absolute_url()).content.decode()
    assert order.get_absolute_url() in deal_page and "Create order" not in deal_page
    entry = Activity.objects.get(subject=f"{order} placed")
    assert "from the deal" in entry.body
    linked = {(link.content_type.model, link.object_id) for link in entry.links.all()}
    assert {("deal", deal.pk), ("order", order.pk)} <= linked
    assert audited(deal)[-1]["order"] == ["", f"#{order.pk}"]
    # Once only; and an ordered deal's lines and status stay as the order has them.
    with pytest.raises(ValidationError, match="already"):
        services.order_from_won_deal(actor=deal.owner, deal=deal)
    with pytest.raises(ValidationError, match="became an order"):
        add(deal, shop["chair"], 1)
    with pytest.raises(ValidationError, match="stays won"):
        services.reopen_deal(actor=deal.owner, deal=deal, expected_version=None)
    assert Order.objects.count() == 1


def test_only_a_won_deal_becomes_an_order(deal, shop):
    add(deal, shop["chair"], 1)
    deal.refresh_from_db()
    with pytest.raises(ValidationError, match="not won"):
        services.order_from_won_deal(actor=deal.owner, deal=deal)
    services.close_deal(
        actor=deal.owner, deal=deal, outcome="lost", reason="Price", expected_version=None
    )
    with pytest.raises(ValidationError, match="not won"):
        services.order_from_won_deal(actor=deal.owner, deal=deal)
    assert Order.objects.count() == 0


def test_a_user_who_cannot_see_the_deal_cannot_order_it(deal, shop):
    add(deal, shop["chair"], 1)
    win(deal)
    outsider = create_user(
        email="rep@firma-b.ro",
        role=role_named("sales-representative"),
        team=team_named("Sales Bucharest"),
    )
    deal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.order_from_won_deal(actor=outsider, deal=deal)
    assert Order.objects.count() == 0 and Deal.objects.get(pk=deal.pk).order is None


def test_the_stock_guard_still_applies_and_nothing_is_half_written(client, deal, shop):
    add(deal, shop["chair"], 1)
    add(deal, shop["desk"], 2)  # one on hand, and desks are not sold on backorder
    win(deal)
    deal.refresh_from_db()
    version, movements = deal.version, StockMovement.objects.count()
    client.force_login(deal.owner)
    response = client.post(f"/deals/{deal.pk}/order/", {"version": version}, follow=True)
    assert "Only 1 of Standing desk available" in response.content.decode()
    deal.refresh_from_db()
    assert deal.order is None and deal.version == version
    assert Order.objects.count() == 0 and StockMovement.objects.count() == movements
    assert StockLevel.objects.get(product=shop["chair"]).reserved == 0


def test_lines_are_edited_on_the_deal_page(client, deal, shop):
    client.force_login(deal.owner)
    url = deal.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Add product" in page and "Office chair · CH-1 · 450.00 RON" in page
    headers = {"HX-Request": "true"}
    response = client.post(
        f"{url}lines/",
        {"product": shop["chair"].pk, "quantity": "2", "version": "1"},
        headers=headers,
        follow=True,
    )
    assert "Product added" in response.content.decode()
    line = deal.lines.get()
    response = client.post(
        f"{url}lines/{line.pk}/",
        {"quantity": "3", "unit_price": "400", "discount": "", "version": "2"},
        follow=True,
    )
    assert "1,200.00 RON" in response.content.decode()
    stale = client.post(f"{url}lines/{line.pk}/", {"action": "remove", "version": "2"}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    bad = client.post(f"{url}lines/", {"product": "nope", "quantity": "1"}, follow=True)
    assert "Choose a product from the list" in bad.content.decode()
    client.post(f"{url}lines/{line.pk}/", {"action": "remove", "version": "3"})
    deal.refresh_from_db()
    assert deal.lines.count() == 0 and deal.amount == 0
    assert "Edit" in client.get(f"{url}edit/").content.decode()
