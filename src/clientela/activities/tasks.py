"""Background jobs of tasks: a task's reminder at its time."""

from __future__ import annotations

from clientela import jobs
from clientela.activities import services


@jobs.job
def deliver_task_reminder(task_id: int, *, at: str) -> None:
    services.deliver_reminder(task_id=task_id, at=at)
