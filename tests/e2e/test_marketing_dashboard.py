"""A marketer's first stop: the sidebar's Dashboards opens the marketing dashboard, whose
figures count the contacts by source, stage and consent; a value drills into the contacts
list narrowed to exactly those people; the page fits at 1440 and 390 px."""

from __future__ import annotations

from playwright.sync_api import expect

from clientela.customers import services as customers
from clientela.users.services import create_user, role_named
from tests.e2e.conftest import log_in
from tests.e2e.test_project_walk import fits

PASSWORD = "Corect-cal-baterie-9"


def test_a_marketer_opens_her_dashboard_and_drills_into_a_figure(page, live_server, screenshot):
    mara = create_user(
        email="mara@firma.ro",
        full_name="Mara Ionescu",
        password=PASSWORD,
        role=role_named("marketing"),
    )
    for name, source, consent in (
        ("Irina Web", "web", True),
        ("Elena Web", "web", False),
        ("Dan Campanie", "campaign", True),
    ):
        customers.create_contact(
            actor=None, data={"full_name": name, "source": source, "marketing_consent": consent}
        )
    log_in(page, live_server, mara)
    page.locator("#sidebar").get_by_role("link", name="Dashboards").click()
    expect(page).to_have_url(live_server.url + "/dashboards/marketing/")
    expect(page.get_by_role("heading", name="New contacts by source")).to_be_visible()
    expect(page.get_by_text("2 of 3 contacts agree to marketing (67%).")).to_be_visible()
    problems = fits(page, "marketing dashboard")
    screenshot(page, "dashboard-marketing")

    consent = page.locator("section.chart").filter(has_text="Marketing consent")
    consent.get_by_role("link", name="2", exact=True).click()
    expect(page.get_by_role("link", name="Irina Web")).to_be_visible()
    expect(page.get_by_role("link", name="Dan Campanie")).to_be_visible()
    expect(page.get_by_role("link", name="Elena Web")).to_have_count(0)
    assert not problems, "\n".join(problems)
