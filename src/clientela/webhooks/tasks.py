"""Background jobs of webhooks: sending one delivery."""

from __future__ import annotations

from clientela import jobs
from clientela.webhooks import services


@jobs.job
def deliver(delivery_id: int) -> None:
    services.deliver(delivery_id)
