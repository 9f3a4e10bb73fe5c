"""Background jobs of the desk: warning of SLA targets near or breached, every minute, and
sending the satisfaction survey of a resolved ticket, and carrying an agent's reply out
through the ticket's channel."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.tickets import alerts, outbound, surveys


@jobs.periodic(every=timedelta(minutes=1))
@jobs.job
def notify_sla() -> None:
    alerts.notify_sla()


@jobs.job
def send_survey(survey_id: int) -> None:
    surveys.send(survey_id)


@jobs.job
def deliver_reply(message_id: int) -> None:
    outbound.deliver(message_id)
