"""A deal's amount and its lines' prices reach no page of a role without "see_sensitive":
the board, the list, the deal with its lines, its form and the forecast show the mark of a
hidden amount, and their templates are given the deals presented, amounts None, never the
records themselves. A manager sees every amount."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from clientela.core.permissions import HIDDEN
from clientela.deals import services
from clientela.orders.models import Price, Product
from clientela.users.services import create_user, role_named, save_role, team_named
from tests.orders.conftest import build_shop, page, shows_none_of

AMOUNT = Decimal("98765.43")
PRICE = Decimal("4321.09")  # a boiler on the price list: two at 7.5 % off make 7994.02


@pytest.fixture
def office(db):
    team = team_named("Sales")
    manager = create_user(email="boss@firma.ro", role=role_named("manager"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    shop = build_shop(manager)
    boiler = Product.objects.create(sku="BO-1", name="Boiler", tax_rate=Decimal("19"))
    Price.objects.create(price_list=shop["price_list"], product=boiler, unit_price=PRICE)
    services.ensure_pipeline()
    big = services.create_deal(
        actor=manager,
        data={
            "name": "Cuptoare",
            "company": shop["company"],
            "amount": AMOUNT,
            "expected_close": datetime.date.today() + datetime.timedelta(days=20),
        },
    )
    # The rep's own deal, so its lines may be changed on its page; the manager prices them.
    quoted = services.create_deal(actor=rep, data={"name": "Boilere", "company": shop["company"]})
    quoted = services.add_deal_line(
        actor=manager,
        deal=quoted,
        product=boiler,
        quantity=2,
        discount="7.5",
        expected_version=None,
    )
    line = quoted.lines.get()
    return {
        "manager": manager,
        "rep": rep,
        "big": big,
        "quoted": quoted,
        "figures": [AMOUNT, PRICE, line.agreed_price, line.net, quoted.amount],
    }


def test_the_board_shows_no_amount_or_sum_to_a_representative(client, office):
    response = page(client, office["rep"], "/deals/")
    body = response.content.decode()
    assert "Cuptoare" in body and "Boilere" in body
    shows_none_of(response, office["figures"])
    assert f'<strong class="num">{HIDDEN}</strong>' in body  # each card marks its amount
    assert "data-board-total" not in body and "data-column-total" not in body
    context = response.context
    assert context["totals"] is None and context["weighted"] is None
    cards = [card for column in context["columns"] for card in column.cards]
    assert {card.name for card in cards} == {"Cuptoare", "Boilere"}
    assert all(card.amount is None for card in cards)
    assert all(column.totals is None and column.weighted is None for column in context["columns"])


def test_the_board_shows_the_amounts_and_sums_to_a_manager(client, office):
    response = page(client, office["manager"], "/deals/")
    body = response.content.decode()
    assert "98,765.43 RON" in body and "7,994.02 RON" in body
    assert "data-board-total" in body and "106,759.45 RON" in body  # both deals' sum
    assert response.context["totals"] == {"RON": Decimal("106759.45")}


def test_the_deal_list_has_no_amount_column_or_raw_deal_for_a_representative(client, office):
    response = page(client, office["rep"], "/deals/list/")
    assert ">Cuptoare<" in response.content.decode()
    shows_none_of(response, office["figures"])
    assert [record.amount for record, _cells in response.context["rows"]] == [None, None]
    assert [deal.amount for deal in response.context["page"].items] == [None, None]
    manager = page(client, office["manager"], "/deals/list/").content.decode()
    assert "98,765.43 RON" in manager


def test_a_deal_page_and_its_form_hide_the_amount_from_a_representative(client, office):
    big = office["big"]
    response = page(client, office["rep"], big.get_absolute_url())
    body = response.content.decode()
    assert "Cuptoare" in body and f'<dd class="num">{HIDDEN}</dd>' in body
    shows_none_of(response, office["figures"])
    assert response.context["deal"].amount is None and response.context["record"].amount is None
    assert response.context["deal"].name == "Cuptoare"

    form = page(client, office["rep"], f"/deals/{big.pk}/edit/")
    shows_none_of(form, office["figures"])
    assert 'name="amount"' not in form.content.decode()
    assert form.context["form"].initial["amount"] is None

    manager = page(client, office["manager"], big.get_absolute_url()).content.decode()
    assert '<dd class="num">98,765.43 RON</dd>' in manager


def test_a_deals_lines_show_products_but_no_prices_to_a_representative(client, office):
    quoted = office["quoted"]
    response = page(client, office["rep"], quoted.get_absolute_url())
    body = response.content.decode()
    assert "Boiler" in body and 'name="quantity"' in body  # their own deal: lines change
    assert 'name="unit_price"' not in body and 'name="discount"' not in body
    assert "7.50" not in body  # the discount
    shows_none_of(response, office["figures"])
    (line,) = response.context["lines"]
    assert (line.product.name, line.quantity) == ("Boiler", 2)
    assert (line.unit_price, line.discount, line.agreed_price, line.net) == (None,) * 4
    assert all(price is None for _product, price, _label in response.context["products"])

    manager = page(client, office["manager"], quoted.get_absolute_url()).content.decode()
    assert 'value="4321.09"' in manager and 'value="7.50"' in manager
    assert "7,994.02 RON" in manager
    assert "Boiler · BO-1 · 4321.09 RON" in manager


def test_the_forecast_shows_no_amount_to_a_reporting_role_without_amounts(client, office):
    analyst = create_user(
        email="analyst@firma.ro",
        role=save_role(
            actor=None,
            role=None,
            name="Analyst",
            permissions_value={
                "records": {"deal": {"view": "all"}},
                "capabilities": ["view_reports"],
            },
        ),
    )
    response = page(client, analyst, "/deals/funnel/")
    assert "Weighted forecast" in response.content.decode()
    shows_none_of(response, office["figures"])
    rows = response.context["forecast"]
    assert [row.deals for row in rows] == [1, 1]
    assert all(row.total is None and row.weighted is None for row in rows)

    manager = page(client, office["manager"], "/deals/funnel/").content.decode()
    assert "98,765.43 RON" in manager


def test_the_trash_lists_a_deal_without_its_amount(client, office):
    quoted = office["quoted"]
    quoted.refresh_from_db()
    services.trash_deal(actor=office["rep"], deal=quoted)
    response = page(client, office["rep"], "/trash/")
    assert "Boilere" in response.content.decode()
    shows_none_of(response, office["figures"])
    assert [record.amount for record, _label in response.context["rows"]] == [None]
