"""An administrator runs the team from the product: invites, edits a role, deactivates a
colleague with their records handed over, and finds all of it in the audit trail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.users.services import create_user, role_named, team_named

PASSWORD = "Corect-cal-baterie-9"


@pytest.fixture
def office(transactional_db):
    sales = team_named("Vânzări")
    admin = create_user(
        email="director@firma.ro", full_name="Dana Director", password=PASSWORD, administrator=True
    )
    leaving = create_user(email="mihai@firma.ro", full_name="Mihai Pleacă", team=sales)
    create_user(email="ioana@firma.ro", full_name="Ioana Rămâne", team=sales)
    for name in ("Elena Marin", "Radu Stan"):
        customer_services.create_contact(actor=leaving, data={"full_name": name})
    boss = create_user(
        email="sefa@firma.ro",
        full_name="Șefa Vânzări",
        password=PASSWORD,
        team=sales,
        role=role_named("manager"),
    )
    return {"admin": admin, "leaving": leaving, "boss": boss}


def log_in(page, url, email):
    page.goto(url + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_administrator_manages_people_from_settings(live_server, office, page, screenshot):
    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server.url, "director@firma.ro")
    page.get_by_role("link", name="Settings").first.click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    screenshot(page, "settings")

    page.get_by_role("link", name="People and teams").click()
    expect(page.get_by_role("cell", name="Mihai Pleacă")).to_be_visible()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("E-mail").fill("nou@firma.ro")
    page.get_by_label("Full name").fill("Coleg Nou")
    page.get_by_label("Team").select_option(label="Vânzări")
    screenshot(page, "invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("nou@firma.ro is invited")).to_be_visible()
    # No mail server here: the invitation's link is shown, to send by hand.
    expect(page.get_by_role("textbox", name="Invitation link")).to_have_value(
        re.compile(r"/password-reset/")
    )
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="People and teams"
    ).click()
    expect(page.get_by_role("row", name="Coleg Nou")).to_contain_text("Invited")
    screenshot(page, "people")

    page.get_by_role("link", name="Mihai Pleacă").click()
    expect(page.get_by_text("They hold: 2 contacts.")).to_be_visible()
    page.get_by_label("Hand their records over to").select_option(label="Ioana Rămâne")
    screenshot(page, "person")
    page.get_by_role("button", name="Deactivate and hand over").click()
    expect(page.get_by_text("2 contacts passed to Ioana Rămâne")).to_be_visible()

    page.goto(live_server.url + "/settings/roles/")
    page.get_by_role("link", name="Sales representative").click()
    page.get_by_label("Everyone in this role must use two-factor login").check()
    screenshot(page, "role")
    page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_role("row", name="Sales representative")).to_contain_text("Required")

    page.goto(live_server.url + "/settings/audit/")
    deactivation = page.get_by_role("row", name="User · Mihai Pleacă")
    expect(deactivation).to_contain_text("Deactivate")
    expect(deactivation).to_contain_text("Handed over to — → ioana@firma.ro")
    expect(page.get_by_role("row", name="Role · Sales representative")).to_contain_text(
        "Require two factor No → Yes"
    )
    screenshot(page, "audit-trail")


def test_a_manager_home_shows_the_team(live_server, office, page, screenshot):
    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server.url, "sefa@firma.ro")
    expect(page.get_by_role("heading", name="Team Vânzări")).to_be_visible()
    expect(page.get_by_role("row", name="Mihai Pleacă")).to_contain_text("2")
    screenshot(page, "manager-home")
