"""A task that repeats monthly on the 31st, added from My day: ticking it done brings the
next one, due on the last day of the shorter month; the form fits at 1440 and 390 px."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from clientela.activities.models import Task
from tests.e2e.conftest import DESKTOP, log_in
from tests.e2e.test_project_walk import PASSWORD, fits


@pytest.fixture
def ana(make_user):
    user = make_user(full_name="Ana Pop", password=PASSWORD)
    user.time_zone = "Europe/Bucharest"
    user.save(update_fields=["time_zone"])
    return user


def test_a_monthly_task_on_the_31st_comes_back_at_the_month_end(page, live_server, ana, screenshot):
    year = datetime.date.today().year + 1
    log_in(page, live_server, ana, PASSWORD)
    page.goto(live_server.url + "/my-day/")
    page.get_by_label("Task", exact=True).fill("Închiderea lunii")
    page.get_by_label("Due", exact=True).fill(f"{year}-01-31T16:00")
    page.get_by_text("Repeat", exact=True).click()
    page.get_by_label("Repeats").select_option("monthly")
    page.get_by_label("Times").fill("12")
    screenshot(page, "repeating-task-form")
    problems = fits(page, "my day, repeat open")
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_text("Task added.")).to_be_visible()
    first = page.locator(".task").filter(has_text="Închiderea lunii")
    expect(first.locator("[data-task-repeats]")).to_be_visible()
    first.get_by_role("button", name="Mark as done").click()
    expect(first.get_by_role("button", name="Mark as not done")).to_be_visible()
    page.reload()
    following = Task.objects.get(occurrence=2)
    assert following.due_at.astimezone(datetime.timezone(datetime.timedelta(hours=2))).date() == (
        datetime.date(year, 2, 28) if year % 4 else datetime.date(year, 2, 29)
    )
    expect(page.locator(".task").filter(has_text="Închiderea lunii")).to_have_count(1)
    page.set_viewport_size(DESKTOP)
    assert not problems, "\n".join(problems)
