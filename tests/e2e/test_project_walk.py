"""A project for a client, from the client's page: start it there, log its kick-off
meeting and a task on it, find it in the projects list by status, see it on the client's
page and timeline; every page it touches fits the window at 1440 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.projects.models import Project
from clientela.users.services import create_user, role_named, team_named
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.test_overflow import check

PASSWORD = "Corect-cal-baterie-9"


@pytest.fixture
def seller(db):
    return create_user(
        email="maria@firma.ro",
        full_name="Maria Ionescu",
        password=PASSWORD,
        role=role_named("sales-representative"),
        team=team_named("Vânzări"),
    )


SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(done))))"


def fits(page, label: str) -> list[str]:
    problems = []
    for name, size in (("1440", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        # What the page redraws for the new width (charts follow their box a frame after
        # the resize, as in a browser whose window is narrowed) is measured once drawn.
        page.evaluate(SETTLED)
        problems += check(page, f"{label} {name}", desktop=size == DESKTOP)
    page.set_viewport_size(DESKTOP)
    return problems


def test_a_project_for_a_company_from_its_page(page, live_server, seller, screenshot):
    company = customer_services.create_company(
        actor=seller, data={"name": "Secretariatul General al Distribuției Nord-Vest SA"}
    )
    log_in(page, live_server, seller, PASSWORD)
    problems = []

    page.goto(live_server.url + company.get_absolute_url())
    panel = page.locator("[data-client-projects]")
    expect(panel).to_contain_text("No projects yet.")
    panel.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name=f"New project for {company.name}")).to_be_visible()
    page.get_by_label("Name").fill("Modernizarea depozitului din Cluj-Napoca, etapa a doua")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_label("Due date").fill("2026-02-01")
    page.get_by_label("Description").fill("Rafturi noi, cititoare de coduri, instruire.")
    page.get_by_role("button", name="Save").click()
    # A due date before the start is refused, in words, and the form keeps what was typed.
    expect(page.get_by_text("The due date cannot be before the start date.")).to_be_visible()
    page.get_by_label("Due date").fill("2026-09-30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("was added.")).to_be_visible()
    project = Project.objects.get()
    assert project.company == company and project.owner == seller

    # Its kick-off meeting and a task, on the project's own page.
    page.get_by_role("tab", name="Meeting").click()
    page.locator("#c-subject").fill("Kick-off")
    page.locator("#c-body").fill("Am stabilit calendarul lucrărilor.")
    page.get_by_role("button", name="Save to timeline").click()
    expect(page.locator("#timeline")).to_contain_text("Am stabilit calendarul lucrărilor.")
    screenshot(page, "project-page")
    problems += fits(page, "project page")

    page.goto(live_server.url + f"/projects/{project.pk}/edit/")
    screenshot(page, "project-edit")
    problems += fits(page, "project edit")

    # The list, filtered by status: there when active, gone when done is asked for.
    page.goto(live_server.url + "/projects/?status=active")
    row = page.get_by_role("row").filter(has_text="Modernizarea depozitului")
    expect(row).to_contain_text("Active")
    screenshot(page, "projects-list")
    problems += fits(page, "projects list")
    page.goto(live_server.url + "/projects/?status=done")
    expect(page.get_by_text("Nothing matches these filters")).to_be_visible()

    # Back on the company's page: the project in its Projects card, the meeting on its timeline.
    page.goto(live_server.url + company.get_absolute_url())
    expect(panel.get_by_role("link", name="Modernizarea depozitului")).to_be_visible()
    expect(panel).to_contain_text("Active")
    expect(page.locator("#timeline")).to_contain_text("Am stabilit calendarul lucrărilor.")
    screenshot(page, "project-client-page")
    problems += fits(page, "company page with a project")
    assert not problems, "\n".join(problems)
