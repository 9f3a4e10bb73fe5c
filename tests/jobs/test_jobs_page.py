"""The Jobs page: administrators see queued, running and failed jobs and retry failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela import jobs
from clientela.jobs import services
from clientela.notifications.tasks import deliver_reminder


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="admin@example.com", administrator=True)
    client.force_login(admin)
    return client


def _failed_job():
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    jobs.enqueue(deliver_reminder, 999, key="k", title="t")
    row = DBTaskResult.objects.get()
    # What the worker records when a job raises.
    row.claim("worker-1")
    row.set_failed(RuntimeError("SMTP server refused the connection"))
    assert row.status == TaskResultStatus.FAILED
    return row


def test_staff_see_failed_jobs_with_their_error_and_retry_them(admin_client):
    row = _failed_job()
    jobs.schedule_at(timezone.now() + timedelta(hours=2), deliver_reminder, 1, key="x", title="y")

    page = admin_client.get(reverse("jobs:board")).content.decode()
    assert "notifications: deliver reminder" in page
    assert "RuntimeError: SMTP server refused the connection" in page
    assert "Scheduled" in page

    response = admin_client.post(reverse("jobs:retry", args=[row.id]), follow=True)
    assert "The job is queued again." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "READY"

    again = admin_client.post(reverse("jobs:retry", args=[row.id]), follow=True)
    assert "nothing to retry" in again.content.decode()


def test_retry_of_an_unknown_job_says_so(admin_client):
    response = admin_client.post(reverse("jobs:retry", args=["not-a-job"]), follow=True)
    assert response.status_code == 200
    assert "nothing to retry" in response.content.decode()


def test_people_who_are_not_staff_cannot_see_or_retry_jobs(user_client):
    row = _failed_job()
    assert user_client.get(reverse("jobs:board")).status_code == 403
    assert user_client.post(reverse("jobs:retry", args=[row.id])).status_code == 403
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert "Jobs" not in user_client.get(reverse("workspace:home")).content.decode()


def test_retry_is_post_only(admin_client):
    row = _failed_job()
    assert admin_client.get(reverse("jobs:retry", args=[row.id])).status_code == 405


def test_a_periodic_period_is_claimed_once():
    from clientela.jobs.interface import PeriodicJob

    entry = PeriodicJob("probe", deliver_reminder, timedelta(minutes=1))
    assert services.claim_period(entry, 10, "a") is True
    assert services.claim_period(entry, 10, "b") is False
    assert services.claim_period(entry, 11, "b") is True


def test_a_claim_whose_transaction_fails_enqueues_nothing(
    django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import transaction

    from clientela.jobs.interface import PeriodicJob

    # What the commit callbacks enqueue (a commit also tells the write listeners, which
    # enqueue nothing).
    enqueued: list = []
    monkeypatch.setattr(services, "enqueue", enqueued.append)
    entry = PeriodicJob("probe", deliver_reminder, timedelta(minutes=1))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert services.claim_period(entry, 10, "a") is True
        raise RuntimeError("the commit failed")
    assert callbacks == [] and enqueued == []
    # The period is still free: the next tick claims it and enqueues it once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.claim_period(entry, 10, "b") is True
    assert enqueued == [entry.task]


pytestmark = pytest.mark.django_db
