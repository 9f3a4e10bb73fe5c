"""The bell in the top bar: the unread count every page starts with."""

from django.conf import settings
from django.http import HttpRequest

from clientela.notifications import selectors


def bell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": selectors.unread_count(user),
        "notifications_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    }
