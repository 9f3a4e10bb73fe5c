"""The top bar's "+" menu: every record type a role may add, each to its "new" page, and a
contact in the quick-add dialog; a role that may add nothing is offered no "+"."""

from __future__ import annotations

import re

import pytest

from clientela.users.services import role_named


def menu_links(html: str) -> dict[str, str]:
    panel = re.search(r'<details class="menu new-menu">(.*?)</details>', html, re.S)
    if panel is None:
        return {}
    return {
        " ".join(re.sub(r"<[^>]+>", " ", label).split()): href
        for href, label in re.findall(r'role="menuitem" href="([^"]+)"[^>]*>(.*?)</a>', panel[1])
    }


@pytest.mark.django_db
def test_an_administrator_may_add_every_type_from_the_plus_menu(client, make_user):
    client.force_login(make_user(administrator=True))
    links = menu_links(client.get("/").content.decode())
    assert links == {
        "Contact c": "/contacts/quick-add/",
        "Company": "/companies/new/",
        "Deal": "/deals/new/",
        "Project": "/projects/new/",
        "Ticket": "/tickets/new/",
        "Order": "/orders/new/customer/",  # which asks for the customer first
    }
    for href in links.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_a_read_only_role_is_offered_no_plus(client, make_user):
    client.force_login(make_user(role=role_named("read-only")))
    page = client.get("/").content.decode()
    assert 'class="menu new-menu"' not in page and "Add a record" not in page
