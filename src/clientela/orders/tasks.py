"""Background jobs of money: fetching the day's exchange rates from the configured source
(none by default). Here rather than in core, which sits below the jobs app."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from clientela import jobs
from clientela.core.currencies import sources


@jobs.periodic(every=timedelta(hours=6))
@jobs.job
def fetch_exchange_rates() -> int:
    """Does nothing unless CLIENTELA_EXCHANGE_RATE_SOURCE names a source."""
    return sources.update_from(settings.EXCHANGE_RATE_SOURCE)
