"""Every write of notifications: deliver, schedule a reminder, mark read, set preferences.

The two calls other apps make:

    notify(user, *, key, title, body="", url="") -> Notification  (title, body: text or phrase)
        Deliver now: a row for the bell (when the person wants in-app notifications)
        and an e-mail (when they want e-mail). Idempotent on `key`: calling it again
        with the same key changes nothing and sends nothing, so a job that runs twice
        delivers once. Choose keys that name the event, e.g. f"task:{task.pk}:reminder".

    schedule_reminder(*, user, when, key, title, url) -> None
        Deliver `notify(user, key=key, title=title, url=url)` from a background job at
        `when` (an aware datetime; a time in the past delivers as soon as a worker is
        free). On the database queue the job is part of the caller's transaction; on
        Redis it is sent when that transaction commits.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela import jobs
from clientela.core import links, permissions, phrases
from clientela.notifications.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from clientela.users.models import User

logger = logging.getLogger(__name__)


def preferences_for(user: User) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def notify(
    user: User,
    *,
    key: str,
    title: str | phrases.Phrase,
    body: str | phrases.Phrase = "",
    url: str = "",
) -> Notification:
    """The bell and, where the person asked for it, an e-mail. A title or body given as a
    phrase (core/phrases.py) is written in the person's own language, whoever or whatever
    (a colleague in another language, a background job) sends it."""
    key = (key or "").strip()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title, body = str(title).strip(), str(body)
    if not key:
        raise ValidationError({"key": _("A notification needs a key.")})
    if not title:
        raise ValidationError({"title": _("A notification needs a title.")})
    if len(key) > 200:
        raise ValidationError({"key": _("A notification key has at most 200 characters.")})
    preference = preferences_for(user)
    with transaction.atomic():
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    key=key,
                    title=title[:200],
                    body=body,
                    url=url[:500],
                    created=timezone.now(),
                    in_app=preference.in_app,
                )
        except IntegrityError:
            # Another worker delivered the same key a moment ago.
            return Notification.objects.get(key=key)
        if preference.email and user.email:
            # Sent inside the transaction that records it: if sending fails, nothing is
            # recorded and the job is retried; a concurrent delivery of the same key
            # waits on the unique index and then finds this one.
            send_mail(
                subject=title[:200],
                message="\n\n".join(part for part in (body, links.absolute(url)) if part) or title,
                from_email=None,
                recipient_list=[user.email],
            )
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return notification


def schedule_reminder(*, user: User, when: datetime, key: str, title: str, url: str = "") -> None:
    if not isinstance(when, datetime) or timezone.is_naive(when):
        raise ValidationError({"when": _("A reminder needs a date and time with a time zone.")})
    if not (key or "").strip() or not (title or "").strip():
        raise ValidationError(_("A reminder needs a key and a title."))
    from clientela.notifications.tasks import deliver_reminder

    jobs.schedule_at(when, deliver_reminder, user.pk, key=key, title=title, url=url)


def mark_read(*, actor: User, notification_id: int) -> Notification | None:
    notification = Notification.objects.filter(user=actor, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_preferences(
    *, actor: User, user: User, in_app: bool, email: bool
) -> NotificationPreference:
    """Someone's own choices, or another's by a user manager."""
    if actor != user:
        permissions.require(actor, "manage_users")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"in_app": in_app, "email": email}
    )
    return preference
