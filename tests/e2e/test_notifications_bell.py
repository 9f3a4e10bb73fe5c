"""The bell counts a new notification without a reload; the Jobs page and the bell menu
are photographed at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.notifications import services

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, email, password):
    # Screenshots switch widths: no sliding drawer caught half-way.
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def test_the_bell_count_changes_without_a_reload(
    live_server, page, make_user, settings, screenshot
):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    admin = make_user(email="admin@example.com", full_name="Ana Popescu", administrator=True)
    log_in(page, live_server, "admin@example.com", "Corect-cal-baterie-9")
    count = page.locator("#bell-count")
    expect(count).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    services.notify(
        admin,
        key="task:1:reminder",
        title="Call Ștefan Ionescu back",
        body="He asked about the offer.",
        url="/",
    )
    services.notify(admin, key="ticket:7:late", title="Ticket #7 waits for an answer")

    expect(count).to_have_text("22 unread notifications", timeout=10000)
    expect(count).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Notifications").or_(
        page.locator(".bell__button")
    ).first.click()
    expect(page.get_by_role("menuitem", name="Call Ștefan Ionescu back")).to_be_visible()
    screenshot(page, "bell-menu")

    page.get_by_role("menuitem", name="Call Ștefan Ionescu back").click()
    page.wait_for_url(live_server.url + "/")
    expect(count).to_have_text("11 unread notification")


def test_jobs_page_looks_right(live_server, page, make_user, screenshot):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from clientela import jobs
    from clientela.notifications.tasks import deliver_reminder

    admin = make_user(email="admin@example.com", administrator=True)
    jobs.enqueue(deliver_reminder, admin.pk, key="import:1", title="Import finished")
    failed = DBTaskResult.objects.get()
    failed.claim("worker-7f3a")
    failed.set_failed(
        ConnectionRefusedError("SMTP server mail.firma.ro:587 refused the connection")
    )
    jobs.schedule_at(
        timezone.now() + timedelta(hours=3), deliver_reminder, admin.pk, key="r", title="Call back"
    )
    jobs.enqueue(deliver_reminder, admin.pk, key="now", title="Now")

    log_in(page, live_server, "admin@example.com", "Corect-cal-baterie-9")
    # Jobs is a section of Settings.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Settings"
    ).click()
    page.get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.get_by_text("ConnectionRefusedError: SMTP server")).to_be_visible()
    screenshot(page, "jobs")

    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("The job is queued again.")).to_be_visible()
    expect(page.get_by_text("No job has failed.")).to_be_visible()
