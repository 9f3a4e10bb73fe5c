"""Background jobs of notifications: delivering a reminder at its time."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from clientela import jobs
from clientela.notifications import services


@jobs.job
def deliver_reminder(user_id: int, *, key: str, title: str, url: str = "") -> None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        # The person left or was deactivated: nobody to remind.
        return
    services.notify(user, key=key, title=title, url=url)
