"""Background jobs of the timeline: a task's reminder at its time, a meeting's invitations."""

from __future__ import annotations

from clientela import jobs
from clientela.activities import meetings, services


@jobs.job
def deliver_task_reminder(task_id: int, *, at: str) -> None:
    services.deliver_reminder(task_id=task_id, at=at)


@jobs.job
def send_meeting_invitations(activity_id: int) -> None:
    meetings.send_meeting_invitations(activity_id=activity_id)
