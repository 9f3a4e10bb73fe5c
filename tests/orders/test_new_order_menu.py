"""An order started from the top bar's "+" menu, with no customer yet: the customer is
found by name and chosen, then the order form opens for them."""

from __future__ import annotations

import pytest

from clientela.customers import services as customers
from clientela.users.services import create_user, role_named

pytestmark = pytest.mark.django_db


def test_the_plus_menu_starts_an_order_and_the_customer_is_chosen_on_the_way(user_client, shop):
    home = user_client.get("/").content.decode()
    menu = home.split('class="menu new-menu"', 1)[1].split("</details>", 1)[0]
    assert 'href="/orders/new/customer/">Order</a>' in menu
    # The form's own address without a customer asks for one, it is not a 404.
    bare = user_client.get("/orders/new/")
    assert bare.status_code == 302 and bare["Location"] == "/orders/new/customer/"
    asking = user_client.get("/orders/new/customer/").content.decode()
    assert "Who is the order for?" in asking and "data-customer-choices" not in asking

    found = user_client.get("/orders/new/customer/?q=marin").content.decode()
    choices = found.split("data-customer-choices", 1)[1].split("</section>", 1)[0]
    contact = shop["contact"]
    assert f'href="/orders/new/?customer=contact:{contact.pk}"' in choices
    assert "Ioana Marin" in choices and "Fabrica de Mobilă SRL" in choices  # and her company
    companies = user_client.get("/orders/new/customer/?q=fabrica").content.decode()
    assert f'href="/orders/new/?customer=company:{shop["company"].pk}"' in companies

    form = user_client.get(f"/orders/new/?customer=contact:{contact.pk}").content.decode()
    assert "New order for Ioana Marin" in form and "Office chair · CH-1" in form


def test_only_customers_the_user_may_see_are_offered_and_no_match_says_so(client, shop):
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"))
    customers.create_contact(actor=rep, data={"full_name": "Radu Marinescu"})
    client.force_login(rep)
    found = client.get("/orders/new/customer/?q=marin").content.decode()
    assert "Radu Marinescu" in found
    assert "Ioana Marin<" not in found and f"contact:{shop['contact'].pk}" not in found
    nothing = client.get("/orders/new/customer/?q=zzzz").content.decode()
    assert "No contact or company matches “zzzz”" in nothing


def test_a_role_that_may_not_add_orders_is_not_offered_one(client, shop):
    reader = create_user(email="ro@firma.ro", role=role_named("read-only"))
    client.force_login(reader)
    assert "/orders/new/customer/" not in client.get("/").content.decode()
    refused = client.get("/orders/new/customer/?q=marin")
    assert refused.status_code == 403 and "Ioana Marin" not in refused.content.decode()
