"""Background jobs of the desk: warning of SLA targets near or breached, every minute, and
sending the satisfaction survey of a resolved ticket."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.tickets import alerts, surveys


@jobs.periodic(every=timedelta(minutes=1))
@jobs.job
def notify_sla() -> None:
    alerts.notify_sla()


@jobs.job
def send_survey(survey_id: int) -> None:
    surveys.send(survey_id)
