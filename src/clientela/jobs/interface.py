"""The calls apps make: `job` defines, `enqueue` and `schedule_at` start, `periodic` repeats,
`listener` keeps something long-lived running beside the jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task as job
from django_tasks.base import Task

__all__ = [
    "PeriodicJob",
    "enqueue",
    "job",
    "listener",
    "listeners",
    "periodic",
    "periodic_jobs",
    "schedule_at",
]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: timedelta

    @property
    def seconds(self) -> int:
        return int(self.every.total_seconds())

    def slot(self, now: float) -> int:
        """The number of the period `now` falls in; periods are aligned to the Unix epoch."""
        return int(now // self.seconds)


_PERIODIC: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[Task], Task]:
    """Run a job without arguments once per `every`, however many workers are running."""
    if every.total_seconds() < 1:
        raise ValueError("A periodic job runs at most once a second.")

    def register(task: Task) -> Task:
        _PERIODIC[task.module_path] = PeriodicJob(task.module_path, task, every)
        return task

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_PERIODIC.values(), key=lambda entry: entry.name)


Listener = Callable[[threading.Event], None]
_LISTENERS: dict[str, Listener] = {}


def listener(function: Listener) -> Listener:
    """Run `function(stopping)` on a thread of its own beside the jobs, in one worker at a
    time (the live worker with the lowest id), until `stopping` is set: for what waits on
    the outside world (a mail server's IDLE) and enqueues jobs when it answers, since a
    worker runs one job at a time and a job must not block it. It returns soon after
    `stopping` is set, and is started again if it returns or fails before."""
    _LISTENERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def listeners() -> dict[str, Listener]:
    return dict(sorted(_LISTENERS.items()))


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Run `task(*args, **kwargs)` on a worker as soon as one is free."""
    _send(task, None, args, kwargs)


def schedule_at(when: datetime, task: Task, *args: Any, **kwargs: Any) -> None:
    """Run `task(*args, **kwargs)` on a worker at `when` (an aware datetime), or soon after."""
    if timezone.is_naive(when):
        raise ValueError("schedule_at needs an aware datetime.")
    _send(task, when if when > timezone.now() else None, args, kwargs)


def _send(task: Task, when: datetime | None, args: tuple, kwargs: dict) -> None:
    if when is not None and settings.JOBS_BACKEND == "redis" and when.microsecond:
        # RQ's scheduler keeps whole seconds and runs what is due in the current one:
        # round up, so a job never runs before its time.
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    prepared = task.using(run_after=when) if when is not None else task
    if settings.JOBS_BACKEND == "database":
        # The job is a row in the caller's own transaction: it exists exactly when the
        # data it works on was committed.
        prepared.enqueue(*args, **kwargs)
    else:
        # Redis is outside the transaction: send only once the data is committed, so a
        # worker never runs a job for a rolled-back change.
        transaction.on_commit(lambda: prepared.enqueue(*args, **kwargs))
