"""Template tags for other pages: the home page's warning when backups have stopped."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

from clientela.dataio.backups import selectors

register = template.Library()


@register.inclusion_tag("dataio/backup_warning.html", takes_context=True)
def backup_warning(context) -> dict:
    user = getattr(context.get("request"), "user", None)
    show = bool(user and user.is_staff) and selectors.needs_backup_warning()
    return {"show": show, "latest": selectors.latest_backup() if show else None}


@register.filter
def ago(value) -> str:
    """'just now' for the last minute, else '3 hours ago'; timesince alone says '0 minutes'."""
    if not value:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(value)}
