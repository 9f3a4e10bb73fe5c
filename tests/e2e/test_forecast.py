"""The forecast page in a browser: the sales manager reaches it from the dashboards' tabs,
Chart.js draws the history and the forecast under the strict content security policy, and
the back-test's months and error are in a table beside it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.conftest import build_world
from tests.analytics.test_forecast import build_sales_history
from tests.e2e.test_dashboards import manager_logged_in


def open_tab(page, live_server, tab: str) -> None:
    """Maria, who leads Nord, opens a tab of the dashboards (watching for CSP errors)."""
    manager_logged_in(page, live_server)
    page.get_by_role("link", name="Dashboards").click()
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name=tab).click()


@pytest.mark.django_db(transaction=True)
def test_the_sales_manager_reads_the_forecast_and_its_error(page, live_server, screenshot):
    build_sales_history(build_world())
    open_tab(page, live_server, "Forecast")
    expect(page.get_by_role("heading", name="Forecast", exact=True)).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.chart__canvas.is-drawn').length >= 2")
    assert page.evaluate("window.__cspViolations") == []
    backtest = page.locator("table[data-backtest='revenue-forecast']")
    expect(backtest.locator("tbody tr")).to_have_count(3)
    expect(backtest.locator("[data-mae]")).to_have_text("20.00 RON (20.0%)")
    expect(page.get_by_text("had no exchange rate to RON")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Stage probabilities: typed and learned")
    ).to_be_visible()
    screenshot(page, "forecast")


@pytest.mark.django_db(transaction=True)
def test_the_manager_reads_his_teams_figures_and_drills_into_the_deals_won(
    page, live_server, screenshot
):
    world = build_world()
    open_tab(page, live_server, "People")
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function("document.querySelectorAll('.chart__canvas.is-drawn').length >= 2")
    assert page.evaluate("window.__cspViolations") == []
    expect(page.get_by_text("Bogdan Stan")).to_have_count(0)
    screenshot(page, "people")
    deals = page.locator("#chart-people-deals").locator("xpath=..").locator("table")
    deals.get_by_role("row", name="Radu Ene").get_by_role("link").first.click()
    rows = page.locator("table.table--list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.filter(has_text="Lămpi câștigate")).to_have_count(1)
    assert world["radu"].pk
