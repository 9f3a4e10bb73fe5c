"""Background jobs of data safety: the daily verified backup with retention."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.dataio import backup


@jobs.periodic(every=timedelta(days=1))
@jobs.job
def daily_backup() -> None:
    backup.run_scheduled_backup()
