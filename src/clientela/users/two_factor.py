"""Who must log in with a second factor: administrators when the installation says so,
and anyone whose role says so (a role's permissions can hold "require_two_factor")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from clientela.users.models import User


def required_for(user: User | AnonymousUser | None) -> bool:
    """True when this user may not use Clientela until two-factor login is on."""
    if getattr(user, "is_superuser", False) and settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS:
        return True
    role = getattr(user, "role", None)
    return bool(role is not None and role.permissions.get("require_two_factor"))
