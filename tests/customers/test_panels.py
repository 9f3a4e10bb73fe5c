"""A contact's or company's page answers with what is seen first; its timeline, deals,
orders, shipments, files on orders, tickets, projects (and a company's people) load right
after, each from its own address, which answers only for a record the user may see."""

from __future__ import annotations

import pytest

from clientela.deals import services as deal_services
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop, shipped_order_with_file
from tests.record_pages import panel, shown

pytestmark = pytest.mark.django_db

PANELS = ["deals", "orders", "shipments", "order-files", "tickets", "projects", "timeline"]


@pytest.fixture
def shop():
    owner = create_user(email="vera@firma.ro", full_name="Vera Pop", team=team_named("Cluj"))
    shop = build_shop(owner)
    shop["owner"] = owner
    order = shipped_order_with_file(
        owner, shop, tracking="AWB4242", file_name="contract-semnat.pdf"
    )
    deal_services.create_deal(
        actor=owner,
        data={"name": "Mobilier birou", "company": shop["company"], "contacts": [shop["contact"]]},
    )
    shop["order"] = order
    return shop


@pytest.mark.parametrize("kind", ["contact", "company"])
def test_the_page_shows_its_cards_once_they_load(client, shop, kind):
    client.force_login(shop["owner"])
    url = shop[kind].get_absolute_url()
    first = client.get(url).content.decode()
    # The first answer holds a placeholder per card, loaded on its own, with a plain link.
    for name in PANELS:
        address = f"{url}panels/{name}/"
        assert f'hx-get="{address}"' in first and f'href="{address}"' in first
    cards = ("data-customer-deals", "data-customer-shipments", "data-customer-order-files")
    assert not any(card in first for card in cards)
    assert (f'hx-get="{url}panels/people/"' in first) == (kind == "company")

    page = shown(client, url)
    assert "card--loading" not in page
    deals = page[page.index("data-customer-deals") :]
    assert "Mobilier birou" in deals[: deals.index("</section>")]
    assert 'aria-labelledby="orders-title"' in page and f"Order #{shop['order'].pk}" in page
    shipments = page[page.index("data-customer-shipments") :]
    shipments = shipments[: shipments.index("</section>")]
    assert "AWB4242" in shipments and "FAN Courier" in shipments
    files = page[page.index("data-customer-order-files") :]
    assert "contract-semnat.pdf" in files[: files.index("</section>")]
    if kind == "company":
        assert "Ioana Marin" in page  # its people


@pytest.mark.parametrize("kind", ["contact", "company"])
def test_the_timeline_loads_after_first_paint_with_the_kinds_asked(client, shop, kind):
    from clientela.activities import services as activity_services

    client.force_login(shop["owner"])
    contact = shop["contact"]
    activity_services.log_activity(
        actor=shop["owner"], record=contact, kind="call", subject="Sunat pentru ofertă"
    )
    activity_services.log_activity(
        actor=shop["owner"], record=contact, kind="note", body="Notă despre livrare"
    )
    url = shop[kind].get_absolute_url()
    timeline = f"{url}panels/timeline/"
    first = client.get(url).content.decode()
    assert "Sunat pentru ofertă" not in first and 'id="timeline"' not in first
    assert f'hx-get="{timeline}"' in first and f'href="{timeline}"' in first  # no scripts: a link

    page = shown(client, url)
    assert "card--loading" not in page
    assert "Sunat pentru ofertă" in page and "Notă despre livrare" in page
    assert 'href="?kind=call"' in page  # the kinds, as before

    # A kind asked of the page is asked of its timeline: only the calls.
    narrowed = client.get(f"{url}?kind=call").content.decode()
    assert f'hx-get="{timeline}?kind=call"' in narrowed
    calls = shown(client, f"{url}?kind=call")
    assert "Sunat pentru ofertă" in calls and "Notă despre livrare" not in calls

    # Without scripts, the timeline's own page, which names the record to go back to.
    own = client.get(timeline).content.decode()
    assert "<html" in own and "Sunat pentru ofertă" in own and f'href="{url}"' in own


def test_a_card_has_a_page_of_its_own_without_scripts(client, shop):
    client.force_login(shop["owner"])
    contact = shop["contact"]
    response = client.get(f"{contact.get_absolute_url()}panels/shipments/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body and "AWB4242" in body
    assert f'href="{contact.get_absolute_url()}"' in body  # back to the contact


@pytest.mark.parametrize("kind", ["contact", "company"])
def test_no_card_of_a_record_one_may_not_see(client, shop, kind):
    stranger = create_user(
        email="rep@firma-b.ro", role=role_named("sales-representative"), team=team_named("Iasi")
    )
    client.force_login(stranger)
    url = shop[kind].get_absolute_url()
    assert client.get(url).status_code == 404
    for name in [*PANELS, "people"]:
        answer = panel(client, f"{url}panels/{name}/")
        assert answer.status_code == 404, name
        assert b"AWB4242" not in answer.content and b"contract" not in answer.content


def test_an_unknown_card_or_one_of_another_record_type_is_not_found(client, shop):
    client.force_login(shop["owner"])
    contact = shop["contact"].get_absolute_url()
    assert panel(client, f"{contact}panels/nothing/").status_code == 404
    assert panel(client, f"{contact}panels/people/").status_code == 404  # a company's card
    assert client.post(f"{contact}panels/deals/").status_code == 405


def test_a_role_that_sees_no_orders_gets_no_order_cards(client, shop):
    from clientela.users.models import Role

    role = Role.objects.create(
        key="contacts-only",
        name="Contacts only",
        permissions={
            "records": {
                "contact": {"view": "all", "edit": "none", "delete": "none"},
                "company": {"view": "all", "edit": "none", "delete": "none"},
            },
            "capabilities": [],
        },
    )
    reader = create_user(email="citeste@firma.ro", role=role, team=team_named("Cluj"))
    client.force_login(reader)
    url = shop["contact"].get_absolute_url()
    first = client.get(url).content.decode()
    assert "panels/shipments/" not in first and "panels/order-files/" not in first
    for name in ("shipments", "order-files"):
        assert panel(client, f"{url}panels/{name}/").status_code == 404
    assert "data-customer-shipments" not in shown(client, url)
