"""The dashboard pages: who may open which, the sidebar entry, and every figure's links
leading to a list of exactly the records it counts."""

from __future__ import annotations

import re
from html import unescape

import pytest

from clientela.customers.models import Contact
from clientela.deals.models import Deal
from clientela.orders.models import Order
from clientela.tickets.models import Ticket

BOARDS = ["/dashboards/", "/dashboards/executive/", "/dashboards/sales/", "/dashboards/support/"]


def links(body: str, path: str) -> list[str]:
    """The links of the page's data tables into the list at `path`."""
    return [unescape(href) for href in re.findall(rf'href="({re.escape(path)}\?[^"]+)"', body)]


def listed(client, url: str, model, names: list[str]) -> set[str]:
    body = client.get(url).content.decode()
    return {name for name in names if name in body}


@pytest.mark.django_db
def test_each_role_opens_its_dashboards_and_the_sidebar_leads_there(client, world):
    client.force_login(world["ana"])
    for url in BOARDS:
        assert client.get(url).status_code == 200, url
    # Ana sees every deal, order and ticket, but her own numbers count none: she owns none.
    own = client.get("/dashboards/").content.decode()
    assert links(own, "/deals/list/") == links(own, "/orders/") == links(own, "/tickets/") == []
    client.force_login(world["radu"])
    home = client.get("/").content.decode()
    assert 'href="/dashboards/"' in home
    page = client.get("/dashboards/")
    assert page.status_code == 200
    assert "My numbers" in page.content.decode()
    for url in BOARDS[1:]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_a_month_of_new_customers_links_to_exactly_those_contacts(client, world):
    client.force_login(world["ana"])
    body = client.get("/dashboards/executive/").content.decode()
    names = list(Contact.objects.values_list("full_name", flat=True))
    found = {}
    for url in links(body, "/contacts/"):
        found[url] = listed(client, url, Contact, names)
    assert sorted(map(sorted, found.values())) == [
        ["Dan Sud", "Irina Radu", "Mihai Radu"],
        ["Elena Acum"],
    ]


@pytest.mark.django_db
def test_a_stage_and_a_month_of_wins_link_to_exactly_those_deals(client, world):
    client.force_login(world["ana"])
    body = client.get("/dashboards/sales/").content.decode()
    names = list(Deal.objects.values_list("name", flat=True))
    stage_links = [url for url in links(body, "/deals/list/") if "stage=" in url]
    by_stage = {url: listed(client, url, Deal, names) for url in stage_links}
    assert {frozenset(found) for found in by_stage.values()} == {
        frozenset({"Scaune Nord", "Mese Sud"}),
        frozenset({"Birouri Nord"}),
    }
    won = next(url for url in links(body, "/deals/list/") if "status=won" in url)
    assert listed(client, won, Deal, names) == {"Lămpi câștigate", "Rafturi Sud"}
    lost = next(url for url in links(body, "/deals/list/") if "status=lost" in url)
    assert listed(client, lost, Deal, names) == {"Lămpi pierdute"}


@pytest.mark.django_db
def test_a_month_of_revenue_links_to_exactly_the_orders_sold(client, world):
    client.force_login(world["ana"])
    body = client.get("/dashboards/executive/").content.decode()
    numbers = {f"#{pk}": pk for pk in Order.objects.values_list("pk", flat=True)}
    sold = {}
    for url in set(links(body, "/orders/")):
        page = client.get(url).content.decode()
        sold[url] = {
            numbers[number] for number in re.findall(r">\s*(?:Order|Quote) (#\d+)\s*<", page)
        }
    expected_last = set(
        Order.objects.filter(total__in=["900.00", "550.00"]).values_list("pk", flat=True)
    )
    expected_this = set(Order.objects.filter(total="300.00").values_list("pk", flat=True))
    assert sorted(sold.values(), key=len) == [expected_this, expected_last]


@pytest.mark.django_db
def test_sla_results_link_to_exactly_those_tickets(client, world):
    client.force_login(world["ana"])
    body = client.get("/dashboards/support/").content.decode()
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    found = {
        url.split("sla=")[1].split("&")[0]: listed(client, url, Ticket, subjects)
        for url in links(body, "/tickets/")
        if "sla=" in url
    }
    assert found == {
        "response-met": {"Factură"},
        "response-missed": {"Livrare", "Garanție"},
        "resolution-missed": {"Factură"},
    }


@pytest.mark.django_db
def test_a_representatives_dashboard_links_only_to_his_records(client, world):
    client.force_login(world["radu"])
    body = client.get("/dashboards/").content.decode()
    assert "Bogdan" not in body and "Dan Sud" not in body
    tickets = [url for url in links(body, "/tickets/") if "status=new" in url]
    assert tickets and all("assignee=me" in url for url in tickets)
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    assert listed(client, tickets[0], Ticket, subjects) == {"Nu merge"}
