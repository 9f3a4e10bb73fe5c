"""Every read of login-security state: a user's second factor, a login's lockout."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from axes.models import AccessAttempt
from django.conf import settings

from clientela.security.lockout import cool_off
from clientela.security.models import RecoveryCode, TwoFactorDevice
from clientela.users import two_factor

if TYPE_CHECKING:
    from django.http import HttpRequest

    from clientela.users.models import User


def device_for(user: User) -> TwoFactorDevice | None:
    """The user's device, confirmed or still being set up."""
    return TwoFactorDevice.objects.filter(user=user).first()


def has_two_factor(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def must_set_up_two_factor(user: User) -> bool:
    """True while a user who is required to use two-factor login has not turned it on:
    the pages send them to the set-up page, the API refuses them (session or token)."""
    return two_factor.required_for(user) and not has_two_factor(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def is_locked_out(request: HttpRequest, email: str) -> bool:
    return AxesProxyHandler.is_locked(request, get_credentials(email))


def failures_left(request: HttpRequest, email: str) -> int:
    """How many more wrong attempts this e-mail may make from this address."""
    failures = AxesProxyHandler.get_failures(request, get_credentials(email))
    return max(settings.CLIENTELA_LOGIN_FAILURES - failures, 0)


def lockout_ends_at(request: HttpRequest, email: str) -> datetime.datetime | None:
    """When the lock on this e-mail from this address lifts (the last failure + the pause)."""
    AxesProxyHandler.update_request(request)
    last = (
        AccessAttempt.objects.filter(
            # Set on the request by update_request above; the stubs' HttpRequest lacks it.
            username=email.strip().lower(),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return None
    # Rounded up to the minute: "try again at 08:41 (in 15 minutes)", never a minute early.
    ends = last + cool_off(request)
    whole = ends.replace(second=0, microsecond=0)
    return whole if whole == ends else whole + datetime.timedelta(minutes=1)
