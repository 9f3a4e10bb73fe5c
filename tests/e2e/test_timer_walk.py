"""The timer in a browser: started on a ticket, which the contact's page then says runs;
a call's timer started from the composer stops the ticket's and, stopped, logs the call;
a task's timer on My day; a running timer's time counts on from the server's. Every page
fits at 1440 and 390 px."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientela.activities import services as activity_services
from clientela.activities.models import TimeEntry
from clientela.customers import services as customers
from clientela.tickets import services as ticket_services
from tests.e2e.conftest import log_in
from tests.e2e.test_project_walk import PASSWORD, fits

SUBJECT = "Imprimanta fiscală din magazinul de pe Calea Moșilor nu mai tipărește bonurile"


@pytest.fixture
def desk(make_user):
    ana = make_user(full_name="Ana Popescu", password=PASSWORD, administrator=True)
    contact = customers.create_contact(
        actor=ana, data={"full_name": "Ion Vasile-Constantinescu Dumitrescu"}
    )
    ticket = ticket_services.open_ticket(
        actor=ana, channel="ui", subject=SUBJECT, contact=contact, assignee=ana
    )
    task = activity_services.create_task(
        actor=ana, title="Pregătește oferta pentru reînnoirea contractului", assignee=ana
    )
    return {"ana": ana, "contact": contact, "ticket": ticket, "task": task}


def test_a_timer_started_and_stopped_on_a_ticket_a_call_and_a_task(
    page, live_server, desk, screenshot
):
    # Pages load slowly on a machine shared by many test runs: navigation may take longer.
    page.set_default_navigation_timeout(60_000)
    log_in(page, live_server, desk["ana"], PASSWORD)
    problems = []

    page.goto(live_server.url + f"/tickets/{desk['ticket'].pk}/")
    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_text("Timer started.")).to_be_visible()
    timer = page.locator("[data-timer-running]")
    expect(timer.get_by_role("button", name="Stop timer")).to_be_visible()
    expect(timer).to_contain_text("running,")
    problems += fits(page, "ticket with a running timer")
    screenshot(page, "timer-ticket")

    page.goto(live_server.url + desk["contact"].get_absolute_url())
    line = page.locator("[data-running-timer]")
    expect(line).to_contain_text(f"Timer running on #{desk['ticket'].pk} {SUBJECT}")
    page.get_by_role("tab", name="Log call").click()
    page.get_by_role("button", name="Start a call timer").click()
    expect(line).to_contain_text("Timer running on a call with Ion Vasile-Constantinescu")
    problems += fits(page, "contact with a call's timer")
    screenshot(page, "timer-call")
    line.get_by_role("button", name="Stop timer").click()
    expect(page.get_by_text("Timer stopped:")).to_be_visible()
    expect(page.locator("[data-running-timer]")).to_have_count(0)

    page.goto(live_server.url + "/my-day/")
    row = page.locator(f"#task-{desk['task'].pk}")
    row.get_by_role("button", name="Start timer").click()
    row = page.locator(f"#task-{desk['task'].pk}")
    expect(row.get_by_role("button", name="Stop timer")).to_be_visible()
    expect(page.locator("[data-running-timer]")).to_contain_text("Pregătește oferta")
    problems += fits(page, "My day with a task's timer")
    screenshot(page, "timer-task")
    row.get_by_role("button", name="Stop timer").click()
    expect(page.get_by_text("Timer stopped:")).to_be_visible()

    entries = list(TimeEntry.objects.order_by("pk").values_list("kind", "seconds", "activity"))
    assert [kind for kind, _s, _a in entries] == ["record", "call", "task"]
    assert all(seconds is not None for _k, seconds, _a in entries)
    assert entries[1][2] is not None  # the call was logged
    assert not problems, "\n".join(problems)


def _reads(total: int) -> str:
    minutes, seconds = divmod(total, 60)
    if minutes == 0:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def _ticks_on(page, clock) -> int:
    """Waits until the clock has moved two seconds past the server's count; what it then
    reads must be the time it says it is at."""
    served = int(clock.get_attribute("data-seconds"))
    page.wait_for_function(
        "([el, from]) => parseInt(el.getAttribute('datetime').slice(2), 10) >= from + 2",
        arg=[clock.element_handle(), served],
        timeout=10_000,
    )
    now = int(clock.get_attribute("datetime")[2:-1])
    assert clock.inner_text() in (_reads(now), _reads(now + 1))  # a tick may fall between
    return served


def test_a_running_timer_counts_on_from_the_time_the_server_gives(
    page, live_server, desk, screenshot
):
    from clientela.activities import timers

    page.set_default_navigation_timeout(60_000)
    started = timezone.now() - datetime.timedelta(minutes=2, seconds=5)
    timers.start_timer(actor=desk["ana"], record=desk["ticket"], now=started)
    log_in(page, live_server, desk["ana"], PASSWORD)
    problems = []

    page.goto(live_server.url + f"/tickets/{desk['ticket'].pk}/")
    clock = page.locator("[data-timer-running] time[data-ticking]")
    expect(clock).to_contain_text("2 min")
    served = _ticks_on(page, clock)
    # The server's count is the truth: the time since the start, not since the page came.
    assert 125 <= served <= (timezone.now() - started).total_seconds()
    problems += fits(page, "ticket with a ticking timer")
    screenshot(page, "timer-ticking-ticket")

    # Elsewhere the running line counts on too, and a reload starts again from the server.
    page.goto(live_server.url + "/my-day/")
    line = page.locator("[data-running-timer] time[data-ticking]")
    assert _ticks_on(page, line) >= served
    problems += fits(page, "My day with a ticking timer")
    screenshot(page, "timer-ticking-my-day")
    assert not problems, "\n".join(problems)
