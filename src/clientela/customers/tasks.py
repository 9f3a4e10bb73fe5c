"""Background jobs of customers: emptying the trash past its retention."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.core import record_services


@jobs.periodic(every=timedelta(days=1))
@jobs.job
def purge_expired_trash() -> None:
    record_services.purge_expired_trash()
