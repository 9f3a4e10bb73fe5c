"""The people page's rating weights in a browser: a manager changes one, and Radu's rating
and the formula written above it change with it; a representative gets no form, and a
post of his own is refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.analytics import rating
from clientela.users.services import create_user, role_named, team_named
from tests.analytics.conftest import PASSWORD, build_world
from tests.e2e.conftest import log_in
from tests.e2e.test_project_walk import fits

X = rating.TIMES


def period() -> str:
    """From the first of last month: Radu's deal won last month counts."""
    first = (timezone.now().date().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return f"/dashboards/people/?from={first.isoformat()}"


def radus_rating(page) -> str:
    table = page.locator("#chart-people-rating").locator("xpath=..").locator("table")
    return table.get_by_role("row", name="Radu Ene").locator("td").first.inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_manager_changes_a_weight_and_a_representative_cannot(page, live_server, screenshot):
    world = build_world()
    maria = create_user(
        email="maria@firma.ro",
        full_name="Maria Pop",
        password=PASSWORD,
        role=role_named("manager"),
        team=team_named("Nord"),
    )
    # Pages load slowly on a machine shared by many test runs: navigation may take longer.
    page.set_default_navigation_timeout(60_000)
    log_in(page, live_server, maria, PASSWORD)
    page.goto(live_server.url + period())
    summary = page.locator("#chart-people-rating").locator("xpath=..").locator(".chart__summary")
    # Radu: 2 calls x 1 + 1 deal won x 5 = 7, against nothing the period before.
    expect(summary).to_have_text(
        f"Points = 1 {X} calls made + 2 {X} meetings held + 1 {X} tasks done on time"
        f" + 5 {X} deals won + 2 {X} tickets resolved within deadline."
    )
    assert radus_rating(page).startswith("7")

    page.get_by_text("The rating's weights").click()
    page.get_by_role("spinbutton", name="deals won").fill("10")
    page.get_by_role("button", name="Save the weights").click()
    page.goto(live_server.url + period())
    # 2 x 1 + 1 x 10 = 12; the formula says 10 for a deal won.
    expect(summary).to_contain_text(f"+ 10 {X} deals won +")
    assert radus_rating(page).startswith("12")
    assert rating.weights()["deals_won"] == 10
    problems = fits(page, "people page after the weights changed")
    screenshot(page, "people-weights")

    # Radu, a representative: his own rating by the same weights, and no form.
    page.context.clear_cookies()
    log_in(page, live_server, world["radu"], PASSWORD)
    page.goto(live_server.url + period())
    expect(summary).to_contain_text(f"+ 10 {X} deals won +")
    expect(page.get_by_text("The rating's weights")).to_have_count(0)
    expect(page.locator('form[action="/dashboards/people/weights/"]')).to_have_count(0)
    refused = page.evaluate(
        """async () => {
          const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1];
          const body = new URLSearchParams({calls: "9", meetings: "9", tasks_on_time: "9",
            deals_won: "9", tickets_in_time: "9"});
          const answer = await fetch("/dashboards/people/weights/", {method: "POST", body,
            headers: {"X-CSRFToken": csrf}, redirect: "manual"});
          return answer.status;
        }"""
    )
    assert refused == 403
    assert rating.weights()["deals_won"] == 10
    assert not problems, "\n".join(problems)
