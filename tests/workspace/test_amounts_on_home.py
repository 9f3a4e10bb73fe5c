"""Tasks on a deal or an order bring no amount onto the home page or My day of a role without
"see_sensitive": the task links to its record by name, and the template is given that
record presented (amount None), never the deal or order itself. A manager's home shows the
same tasks with the amounts there to read."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.core import permissions
from clientela.deals import services as deal_services
from clientela.orders import services as order_services
from clientela.orders import stock
from clientela.orders.models import Price, Product
from clientela.users.services import create_user, role_named, save_role, team_named
from tests.orders.conftest import build_shop, page, shows_none_of

AMOUNT = Decimal("98765.43")
PRICE = Decimal("4321.09")


@pytest.fixture
def office(db):
    team = team_named("Sales")
    manager = create_user(email="boss@firma.ro", role=role_named("manager"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    # Sees the team's reports (and so its overdue tasks), not its amounts.
    lead_role = save_role(
        actor=None,
        role=None,
        name="Team lead",
        permissions_value={
            "records": {
                record_type: {"view": "team", "edit": "own", "delete": "own"}
                for record_type in permissions.record_types()
            },
            "capabilities": ["log_activity", "view_reports"],
        },
    )
    lead = create_user(email="lead@firma.ro", role=lead_role, team=team)
    shop = build_shop(manager)
    boiler = Product.objects.create(sku="BO-1", name="Boiler", tax_rate=Decimal("19"))
    Price.objects.create(price_list=shop["price_list"], product=boiler, unit_price=PRICE)
    stock.receive(actor=None, product=boiler, warehouse=shop["warehouse"], quantity=5)
    deal = deal_services.create_deal(
        actor=manager, data={"name": "Cuptoare", "company": shop["company"], "amount": AMOUNT}
    )
    order = order_services.create_order_for_customer(
        actor=manager, customer=shop["contact"], lines=[{"product": boiler, "quantity": 2}]
    )
    now = timezone.now()
    for title, record, late in (("Sună despre cuptoare", deal, 2), ("Confirmă comanda", order, 1)):
        activity_services.create_task(
            actor=manager,
            title=title,
            assignee=rep,
            due_at=now - datetime.timedelta(hours=late),
            record=record,
        )
    line = order.lines.get()
    return {
        "manager": manager,
        "rep": rep,
        "lead": lead,
        "deal": deal,
        "order": order,
        "figures": [AMOUNT, PRICE, line.net, line.tax, order.net_total, order.total],
    }


def records_of(tasks) -> dict[str, object]:
    return {task.title: task.record for task in tasks}


@pytest.mark.parametrize("url", ["/", "/my-day/"])
def test_a_representatives_tasks_name_their_deal_and_order_without_amounts(client, office, url):
    response = page(client, office["rep"], url)
    body = response.content.decode()
    assert "Cuptoare" in body and str(office["order"]) in body
    assert office["deal"].get_absolute_url() in body
    shows_none_of(response, office["figures"])
    tasks = (
        response.context["overdue"]
        if url == "/"
        else [task for group in response.context["groups"].values() for task in group]
    )
    records = records_of(tasks)
    assert records["Sună despre cuptoare"].amount is None
    assert (records["Confirmă comanda"].total, records["Confirmă comanda"].net_total) == (
        None,
        None,
    )


def test_the_team_overdue_list_of_a_lead_who_may_not_see_amounts_has_none(client, office):
    response = page(client, office["lead"], "/")
    body = response.content.decode()
    assert "Sună despre cuptoare" in body and "Cuptoare" in body
    shows_none_of(response, office["figures"])
    assert records_of(response.context["team"]["overdue"])["Sună despre cuptoare"].amount is None


def test_a_manager_gets_the_records_with_their_amounts(client, office):
    response = page(client, office["manager"], "/")
    records = records_of(response.context["team"]["overdue"])
    assert records["Sună despre cuptoare"].amount == AMOUNT
    assert records["Confirmă comanda"].total == office["order"].total
