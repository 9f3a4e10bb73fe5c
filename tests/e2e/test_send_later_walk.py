"""Undo-send and scheduled send in the browser: an e-mail sent from a contact's page waits
its few seconds and is taken back with Undo, so the job sends nothing; another, scheduled
for tomorrow morning, waits in the composer's list and leaves when the job runs at its
time. The job is the real one, run by the jobs' database worker."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from clientela.channels.models import Message, OutgoingMail
from clientela.customers import services as customer_services
from tests.e2e.conftest import log_in


def run_due_jobs(outgoing: OutgoingMail) -> None:
    """The clock moved to the e-mail's time: its job is due, and the worker runs what is."""
    now = timezone.now()
    OutgoingMail.objects.filter(pk=outgoing.pk).update(send_at=now)
    DBTaskResult.objects.filter(task_path="clientela.channels.tasks.send_outgoing").update(
        run_after=now
    )
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="e2e-send-later",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_undo_send_and_scheduled_send(
    page, live_server, mail_admin, account, smtp_server, screenshot, settings
):
    settings.MAIL_UNDO_SECONDS = 30
    received = smtp_server[1].received  # the server is the session's: earlier tests' too
    before = len(received)
    emily = customer_services.quick_add_contact(
        actor=mail_admin, name="Emily Carter", email="emily@carter.co"
    )
    log_in(page, live_server, mail_admin)
    page.goto(live_server.url + emily.get_absolute_url())
    composer = page.locator("#email-composer")

    # Sent, then taken back within the window.
    composer.locator("summary").click()
    composer.get_by_label("Subject").fill("Wrong price")
    composer.get_by_label("Message").fill("40 chairs at 12 EUR each.")
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_text("it leaves in 30 seconds unless you undo it")).to_be_visible()
    waiting = composer.get_by_role("list", name="Waiting to be sent")
    expect(waiting).to_contain_text("“Wrong price” to emily@carter.co leaves at")
    screenshot(page, "mail-undo-waiting")
    waiting.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("E-mail taken back: it was not sent.")).to_be_visible()
    expect(composer.get_by_role("list", name="Waiting to be sent")).to_have_count(0)
    taken_back = OutgoingMail.objects.get(subject="Wrong price")
    run_due_jobs(taken_back)
    taken_back.refresh_from_db()
    assert taken_back.status == "cancelled" and len(received) == before
    assert not Message.objects.exists()

    # Scheduled for tomorrow at nine: it waits, and the job sends it at its time.
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    if composer.get_attribute("open") is None:
        composer.locator("summary").click()
    composer.get_by_label("Subject").fill("Right price")
    composer.get_by_label("Message").fill("40 chairs at 120 EUR each.")
    composer.get_by_label("Send at").fill(tomorrow.strftime("%Y-%m-%dT09:00"))
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_text("E-mail scheduled for")).to_be_visible()
    waiting = composer.get_by_role("list", name="Waiting to be sent")
    expect(waiting).to_contain_text("“Right price” to emily@carter.co leaves at")
    screenshot(page, "mail-scheduled-waiting")
    scheduled = OutgoingMail.objects.get(subject="Right price")
    assert timezone.localtime(scheduled.send_at).strftime("%Y-%m-%d %H:%M") == tomorrow.strftime(
        "%Y-%m-%d 09:00"
    )
    assert len(received) == before  # not before its time
    run_due_jobs(scheduled)
    scheduled.refresh_from_db()
    assert scheduled.status == "sent" and len(received) == before + 1
    assert received[-1][1] == ["emily@carter.co"] and b"Right price" in received[-1][2]

    page.reload()
    expect(composer.get_by_role("list", name="Waiting to be sent")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("40 chairs at 120 EUR each.")
