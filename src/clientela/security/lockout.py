"""How django-axes counts failed logins here: per e-mail (any case) and IP, from settings."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    return settings.CLIENTELA_LOGIN_FAILURES


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.CLIENTELA_LOCKOUT_MINUTES)


def username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail as the account stores it, so ANA@x.ro and ana@x.ro count as one."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    return raw.strip().lower() if raw else None
