"""The sidebar puts first what a role works in: a support agent's tickets, a sales
representative's deals, a manager's and a marketer's dashboards; every role keeps Home and My day on top."""

from __future__ import annotations

import pytest

from clientela.users.services import create_user, role_named
from tests.e2e.conftest import log_in

PASSWORD = "Corect-cal-baterie-9"


def sidebar(page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("#sidebar nav a .sidebar__label").all_inner_texts()
        if text.strip()
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("role", "first"),
    [
        ("support-agent", ["Home", "My day", "Tickets", "Knowledge base", "Contacts"]),
        ("sales-representative", ["Home", "My day", "Deals", "Contacts", "Companies"]),
        ("manager", ["Home", "My day", "Dashboards", "Team tasks", "Deals"]),
        ("marketing", ["Home", "My day", "Dashboards", "Contacts", "Companies"]),
    ],
)
def test_each_role_sees_first_what_it_works_in(page, live_server, role, first):
    person = create_user(
        email=f"{role}@firma.ro", full_name="Maria Pop", password=PASSWORD, role=role_named(role)
    )
    log_in(page, live_server, person)
    assert sidebar(page)[: len(first)] == first
