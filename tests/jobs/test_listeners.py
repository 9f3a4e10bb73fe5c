"""Listeners (`jobs.listener`): long-lived waits beside the jobs, run by one worker at a
time (the live one with the lowest id), stopped when it stops leading or stops, and
started again when one fails."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.jobs import interface, services, worker
from clientela.jobs.models import WorkerHeartbeat
from tests.jobs.conftest import wait_for


def test_the_mailbox_watcher_is_a_listener():
    assert "clientela.channels.tasks.watch_mailboxes" in interface.listeners()


@pytest.mark.django_db
def test_the_live_worker_with_the_lowest_id_leads():
    now = timezone.now()
    for worker_id, seen in (("a-dead", now - timedelta(hours=1)), ("b", now), ("c", now)):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname="h", pid=1, started_at=now, seen_at=seen
        )
    assert services.leads("b") and not services.leads("c") and not services.leads("a-dead")
    WorkerHeartbeat.objects.filter(worker_id="b").delete()  # b stopped
    assert services.leads("c")


def test_listeners_run_while_leading_and_stop_when_told(monkeypatch):
    running = threading.Event()
    ended = threading.Event()

    def waits(stopping: threading.Event) -> None:
        running.set()
        stopping.wait()
        ended.set()

    monkeypatch.setattr(interface, "_LISTENERS", {"tests.waits": waits})
    listening = worker.Listening()
    listening.lead(True)
    assert running.wait(5)
    listening.lead(True)  # still leading: the same thread, not a second one
    assert len([t for t in threading.enumerate() if t.name == "clientela-listener-waits"]) == 1
    listening.lead(False)  # another worker leads now
    assert ended.wait(5)
    listening.join()
    assert not [t for t in threading.enumerate() if t.name == "clientela-listener-waits"]


def test_a_listener_that_fails_is_started_again(monkeypatch):
    starts: list[int] = []

    def fails(stopping: threading.Event) -> None:
        starts.append(1)
        raise RuntimeError("the server went away")

    monkeypatch.setattr(interface, "_LISTENERS", {"tests.fails": fails})
    monkeypatch.setattr(worker.Listening, "RESTART_SECONDS", 0.0)
    listening = worker.Listening()
    try:
        listening.lead(True)
        wait_for(lambda: starts, timeout=5, message="the listener to start")
        wait_for(
            lambda: (listening.lead(True), len(starts) >= 2)[1],
            timeout=5,
            message="the listener to start again",
        )
    finally:
        listening.stop()
        listening.join()
