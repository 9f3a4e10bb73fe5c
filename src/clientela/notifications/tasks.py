"""Background jobs of notifications: delivering a reminder at its time."""

from __future__ import annotations

from clientela import jobs
from clientela.notifications import services
from clientela.users import selectors as user_selectors


@jobs.job
def deliver_reminder(user_id: int, *, key: str, title: str, url: str = "") -> None:
    user = user_selectors.active_person(user_id)
    if user is None:
        # The person left or was deactivated: nobody to remind.
        return
    services.notify(user, key=key, title=title, url=url)
