"""The sales manager builds a report in a browser: deals by stage, the sum of their
amounts; saves it, sees its chart and table, drills from a bar into the deals behind it,
and exports it as CSV."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.analytics.conftest import build_world
from tests.e2e.test_dashboards import BAR_CENTRE, manager_logged_in

SWAP = 15_000  # an htmx swap on a loaded machine: as long as a page may take


def settled(page) -> None:
    """The filter editor's htmx request answered and swapped in."""
    busy = page.locator(".htmx-request, .htmx-swapping, .htmx-settling")
    expect(busy).to_have_count(0, timeout=SWAP)


@pytest.mark.django_db(transaction=True)
def test_the_sales_manager_builds_saves_drills_and_exports_a_report(page, live_server, screenshot):
    world = build_world()
    manager_logged_in(page, live_server)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    page.get_by_role("link", name="New report").click()

    page.get_by_label("Records").select_option("deal")
    page.get_by_label("Grouped by").select_option("stage")
    page.get_by_label("Measure").select_option("sum")
    page.get_by_label("Of", exact=True).select_option("amount")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(".chart__canvas.is-drawn")
    screenshot(page, "report-builder")
    page.get_by_label("Name").fill("Pipeline by stage")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Pipeline by stage")).to_be_visible()
    page.wait_for_selector(".chart__canvas.is-drawn")
    first, second = world["stages"]
    table = page.locator("[data-dashboard-chart] table")
    expect(table.get_by_role("row", name=first.name)).to_contain_text("8,400.00")
    expect(table.get_by_role("row", name=second.name)).to_contain_text("2,000.00")
    assert page.evaluate("window.__cspViolations") == []

    # The first stage's bar: the five deals in it, open or closed.
    point = page.evaluate(BAR_CENTRE, "report")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/deals/list/?where=*")
    where = json.loads(parse_qs(urlparse(page.url).query)["where"][0])
    assert where["all"][-1] == {"field": "stage", "op": "eq", "value": first.pk}
    expect(page.locator("table.table--list tbody tr")).to_have_count(5)

    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Stage,Sum · Amount (RON)"
    assert f"{first.name},8400.00" in lines
    screenshot(page, "report")

    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("link", name="Pipeline by stage")).to_be_visible()
    screenshot(page, "reports")


@pytest.mark.django_db(transaction=True)
def test_a_report_filtered_by_two_rows_keeps_them_when_reopened(page, live_server, screenshot):
    """Rows filled in with the keyboard: a person picked from a list, an amount typed; the
    figures count only what the rows keep, and the saved report opens with the same rows."""
    world = build_world()
    radu = world["radu"]
    first, second = world["stages"]
    manager_logged_in(page, live_server)
    page.goto(f"{live_server.url}/reports/new/")
    page.get_by_label("Records").select_option("deal")
    page.get_by_label("Grouped by").select_option("stage")

    # The first row: "Add a condition" by the keyboard puts the focus on its field.
    page.get_by_role("button", name="Add a condition").focus()
    page.keyboard.press("Enter")
    field = page.locator("#id_filter-0-field")
    expect(field).to_be_focused(timeout=SWAP)
    field.select_option(label="Owner")
    settled(page)
    expect(page.locator("#id_filter-0-op")).to_have_value("eq")
    expect(field).to_be_focused()  # the row came back drawn for the owner, focus kept
    page.locator("#id_filter-0-value").select_option(label="Radu Ene")

    # The second row: an amount of at least 900, typed.
    page.get_by_role("button", name="Add a condition").click()
    settled(page)
    page.locator("#id_filter-1-field").select_option(label="Amount")
    settled(page)
    page.locator("#id_filter-1-op").select_option(label="is at least")
    settled(page)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#filter-1-error")).to_have_text("Choose or enter a value.", timeout=SWAP)
    page.locator("#id_filter-1-value").fill("900")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_selector(".chart__canvas.is-drawn")
    # Radu's deals of 900 and more: Scaune Nord (first stage) and Birouri Nord (second).
    table = page.locator("[data-dashboard-chart] table")
    expect(table.get_by_role("row", name=first.name)).to_contain_text("1")
    expect(table.get_by_role("row", name=second.name)).to_contain_text("1")
    expect(table.locator("tbody tr")).to_have_count(2)
    screenshot(page, "report-filter-rows")
    page.get_by_label("Name").fill("Radu's big deals")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Radu's big deals")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#id_filter-0-field")).to_have_value("owner")
    expect(page.locator("#id_filter-0-value")).to_have_value(str(radu.pk))
    expect(page.locator("#id_filter-0-value option:checked")).to_have_text("Radu Ene")
    expect(page.locator("#id_filter-1-field")).to_have_value("amount")
    expect(page.locator("#id_filter-1-op")).to_have_value("gte")
    expect(page.locator("#id_filter-1-value")).to_have_value("900")
    # The text form holds the same filter, and reads back into the same rows.
    page.get_by_role("button", name="Edit as text").click()
    settled(page)
    text = page.get_by_label("Filters as text")
    expect(text).to_have_value(
        f'[{{"field":"owner","op":"eq","value":{radu.pk}}},'
        '{"field":"amount","op":"gte","value":900}]'
    )
    page.get_by_role("button", name="Edit as rows").click()
    settled(page)
    expect(page.locator("#id_filter-1-value")).to_have_value("900")
    assert page.evaluate("window.__cspViolations") == []
