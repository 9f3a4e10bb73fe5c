"""A task edited from My day with a reminder after its due time: the form stays open with
what was typed and the error beside the field (not a reset form); corrected, it saves."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from clientela.activities import services
from clientela.activities.models import Task
from tests.e2e.conftest import log_in
from tests.e2e.test_project_walk import PASSWORD, fits


@pytest.fixture
def ana(make_user):
    return make_user(full_name="Ana Pop", password=PASSWORD)


def test_a_refused_task_edit_keeps_what_was_typed(page, live_server, ana, screenshot):
    task = services.create_task(actor=ana, title="Trimite oferta", assignee=ana)
    year = datetime.date.today().year + 1
    log_in(page, live_server, ana, PASSWORD)
    page.goto(live_server.url + "/my-day/")
    row = page.locator(f"#task-{task.pk}")
    row.locator("summary", has_text="Edit").click()
    row.get_by_label("Task", exact=True).fill("Trimite oferta revizuită")
    row.get_by_label("Due", exact=True).fill(f"{year}-03-04T09:30")
    row.get_by_label("Remind me").fill(f"{year}-03-04T11:00")
    row.get_by_label("Priority").select_option("high")
    row.get_by_label("Notes").fill("Cere copia semnată")
    row.get_by_role("button", name="Save task").click()

    row = page.locator(f"#task-{task.pk}")
    error = row.locator(".field--invalid .field__error")
    expect(error).to_have_text("The reminder should come before the due time.")
    expect(row.get_by_label("Remind me")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_label("Task", exact=True)).to_have_value("Trimite oferta revizuită")
    expect(row.get_by_label("Due", exact=True)).to_have_value(f"{year}-03-04T09:30")
    expect(row.get_by_label("Remind me")).to_have_value(f"{year}-03-04T11:00")
    expect(row.get_by_label("Priority")).to_have_value("high")
    expect(row.get_by_label("Notes")).to_have_value("Cere copia semnată")
    assert Task.objects.get(pk=task.pk).title == "Trimite oferta"
    screenshot(page, "task-edit-refused")
    problems = fits(page, "my day, refused task edit")

    row.get_by_label("Remind me").fill(f"{year}-03-04T08:00")
    row.get_by_role("button", name="Save task").click()
    expect(page.get_by_text("Task saved.")).to_be_visible()
    expect(page.locator(f"#task-{task.pk} .task__title")).to_have_text("Trimite oferta revizuită")
    task.refresh_from_db()
    assert (task.title, task.priority, task.notes) == (
        "Trimite oferta revizuită",
        "high",
        "Cere copia semnată",
    )
    assert not problems, "\n".join(problems)
