"""Background jobs of the API: forgetting old idempotency keys."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.api import services


@jobs.periodic(every=timedelta(hours=1))
@jobs.job
def forget_idempotency_keys() -> None:
    services.forget_idempotency_keys()
