"""Every write of the API app: issuing, using and revoking tokens; idempotent answers."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.api.models import ApiToken, IdempotentRequest
from clientela.api.scopes import all_scopes

if TYPE_CHECKING:
    from clientela.users.models import User

TOKEN_PREFIX = "clt_"  # noqa: S105 - a prefix, not a secret
MAX_DAYS = 3650
# last_used_at is written at most this often per token: one UPDATE a minute, not per call.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    known = all_scopes()
    scopes = [scope.strip() for scope in scopes if scope and scope.strip()]
    unknown = sorted(set(scopes) - set(known))
    if unknown:
        raise ValidationError({"scopes": _("Unknown scopes: %(s)s.") % {"s": ", ".join(unknown)}})
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return [scope for scope in known if scope in scopes]


@transaction.atomic
def create_token(
    *, actor: User, name: str, scopes: Iterable[str], expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        raise ValidationError({"expires_in_days": _("Between 1 and %(n)d days.") % {"n": MAX_DAYS}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:80],
        prefix=raw[:10],
        key_hash=hash_token(raw),
        scopes=clean_scopes(scopes),
        expires_at=(
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    return token, raw


def authenticate(raw: str) -> ApiToken | None:
    """The usable token with this secret, its last use noted; None for unknown, revoked,
    expired tokens and inactive users alike (the caller answers 401 either way)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__role", "user__team")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(*, actor: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when they have no such token."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


# A retry comes within minutes or hours; a day is ample and keeps the table small.
IDEMPOTENCY_DAYS = 1


def forget_idempotency_keys(*, now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - datetime.timedelta(days=IDEMPOTENCY_DAYS)
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
