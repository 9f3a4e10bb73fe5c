"""The timer a person has running, for the pages that show timers: read on first use, so a
page without a timer runs no query for it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clientela.activities import timers


def timer(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"running_timer": SimpleLazyObject(lambda: timers.running(user))}
