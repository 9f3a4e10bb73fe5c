"""Every read of notifications: the bell's count and the person's list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from clientela.notifications.models import Notification

if TYPE_CHECKING:
    from clientela.users.models import User

LISTED = 50
IN_MENU = 8


def visible(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, in_app=True)


def unread_count(user: User) -> int:
    return visible(user).filter(read_at__isnull=True).count()


def latest(user: User, limit: int = LISTED) -> list[Notification]:
    return list(visible(user).order_by("-created", "-id")[:limit])


def delivered_keys(keys: list[str]) -> set[str]:
    """Which of these delivery keys were delivered already: a job checking many at once."""
    return set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
