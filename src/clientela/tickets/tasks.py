"""Background jobs of the desk: warning of SLA targets near or breached, every minute."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.tickets import alerts


@jobs.periodic(every=timedelta(minutes=1))
@jobs.job
def notify_sla() -> None:
    alerts.notify_sla()
