"""Background jobs of reports: e-mailing those due today."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.analytics import services


@jobs.periodic(every=timedelta(hours=1))
@jobs.job
def send_scheduled_reports() -> int:
    return services.send_due_reports()
