"""The sales manager's dashboard in a browser: Chart.js draws under the strict content
security policy, and a click on a bar opens the list of exactly the deals it counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.users.services import create_user, role_named, team_named
from tests.analytics.conftest import PASSWORD, build_world
from tests.e2e.conftest import log_in
from tests.e2e.test_first_hour import WATCH_CSP

# Where the first bar of a figure's first series is drawn, in page coordinates.
BAR_CENTRE = """(key) => {
  const figure = document.getElementById(`chart-${key}`).closest("[data-dashboard-chart]");
  const bar = figure.chart.getDatasetMeta(0).data[0];
  const box = figure.querySelector("canvas").getBoundingClientRect();
  return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
}"""


def manager_logged_in(page, live_server):
    """Maria, who leads Nord, logged in, the page watching for CSP errors."""
    manager = create_user(
        email="maria@firma.ro",
        full_name="Maria Pop",
        password=PASSWORD,
        role=role_named("manager"),
        team=team_named("Nord"),
    )
    page.add_init_script(WATCH_CSP)
    log_in(page, live_server, manager)
    return manager


@pytest.mark.django_db(transaction=True)
def test_the_sales_manager_drills_from_a_bar_into_its_deals(page, live_server, screenshot):
    world = build_world()
    manager_logged_in(page, live_server)
    page.get_by_role("link", name="Dashboards").click()
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Sales", exact=True)).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.chart__canvas.is-drawn').length >= 4")
    assert page.evaluate("window.__cspViolations") == []
    screenshot(page, "dashboard-sales")

    # The first stage's bar: Radu's and Bogdan's open deals in it, nothing else.
    first = world["stages"][0]
    point = page.evaluate(BAR_CENTRE, "pipeline")
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(
        f"{live_server.url}/deals/list/?status=open&pipeline={first.pipeline_id}&stage={first.pk}"
    )
    rows = page.locator("table.table--list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Scaune Nord")).to_have_count(1)
    expect(rows.filter(has_text="Mese Sud")).to_have_count(1)
    expect(page.get_by_text(f"Stage: {first.name}")).to_be_visible()

    # The same records from the data table, for a keyboard or a screen reader.
    page.go_back()
    table = page.locator("#chart-pipeline").locator("xpath=..").locator("table")
    table.get_by_role("row", name=first.name).get_by_role("link").first.click()
    expect(rows).to_have_count(2)
    assert page.evaluate("window.__cspViolations") == []
