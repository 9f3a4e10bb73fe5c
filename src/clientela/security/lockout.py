"""How django-axes counts failed logins here: per e-mail (any case) and IP, from settings."""

from __future__ import annotations

import datetime

from django.conf import settings


def failure_limit(request, credentials) -> int:
    return settings.CLIENTELA_LOGIN_FAILURES


def cool_off(request=None) -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.CLIENTELA_LOCKOUT_MINUTES)


def username(request, credentials) -> str | None:
    """The e-mail as the account stores it, so ANA@x.ro and ana@x.ro count as one."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    return raw.strip().lower() if raw else None
