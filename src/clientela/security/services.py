"""Every write to login security: turning two-factor on and off, using codes, unlocking."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING

import pyotp
from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit
from clientela.security.models import RecoveryCode, TwoFactorDevice

if TYPE_CHECKING:
    from clientela.users.models import User

logger = logging.getLogger(__name__)

ISSUER = "Clientela"
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i): read off paper easily.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


class AlreadyOn(ValidationError):
    """Two-factor login is already on; turning it on again would lock out the old phone."""


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=ISSUER)


def start_two_factor(*, actor: User) -> TwoFactorDevice:
    """A fresh secret to scan; it protects nothing until confirmed with a code."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
        if device is not None and device.confirmed:
            raise AlreadyOn(_("Two-factor login is already on."))
        if device is None:
            device = TwoFactorDevice(user=actor)
        device.secret = pyotp.random_base32()
        device.created_at = timezone.now()
        device.save()
        return device


def confirm_two_factor(*, actor: User, code: str) -> list[str]:
    """Turn two-factor on once the app shows a right code; returns the recovery codes,
    the only time they exist in clear."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
        if device is None:
            raise ValidationError(_("Start again: scan the QR code, then type the code."))
        if device.confirmed:
            raise AlreadyOn(_("Two-factor login is already on."))
        if not _accept_totp(device, code):
            raise ValidationError(
                _("That code is not right. Check the phone's clock and type the newest code.")
            )
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        codes = _replace_recovery_codes(actor)
        _audit(actor, on=True)
    logger.info("Two-factor login turned on for user %s", actor.pk)
    return codes


def turn_off_two_factor(*, actor: User, code: str) -> None:
    """Off again, proven with a current code or an unused recovery code."""
    with transaction.atomic():
        if not verify_second_factor(actor=actor, code=code):
            raise ValidationError(_("That code is not right, so two-factor login stays on."))
        TwoFactorDevice.objects.filter(user=actor).delete()
        RecoveryCode.objects.filter(user=actor).delete()
        _audit(actor, on=False)
    logger.info("Two-factor login turned off for user %s", actor.pk)


def verify_second_factor(*, actor: User, code: str) -> bool:
    """True for a current authenticator code or an unused recovery code (used up here)."""
    device = TwoFactorDevice.objects.filter(user=actor, confirmed_at__isnull=False).first()
    if device is None:
        return False
    cleaned = _clean(code)
    if cleaned.isdigit():
        return _accept_totp(device, cleaned)
    used = RecoveryCode.objects.filter(
        user=actor, code_hash=_hash(cleaned), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def unlock(email: str) -> int:
    """Lift every lockout of this e-mail (from any address); the number of locks lifted."""
    lifted = axes_reset(username=email.strip().lower())
    logger.info("Login lockout lifted for %s (%d records)", email.strip().lower(), lifted)
    return lifted


def _accept_totp(device: TwoFactorDevice, code: str) -> bool:
    cleaned = _clean(code)
    if not (cleaned.isdigit() and len(cleaned) == 6):
        return False
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(timezone.now())
    # One step either side: a phone clock 30 seconds off still works.
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), cleaned):
            # Conditional update: of two requests with the same code, one wins.
            return (
                TwoFactorDevice.objects.filter(pk=device.pk)
                .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
                .update(last_used_step=step)
                == 1
            )
    return False


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash(_clean(code))) for code in codes
    )
    return codes


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash(cleaned: str) -> str:
    # A plain SHA-256 is enough: each code is 50 random bits, not a guessable password,
    # and an exact hash lets the login find the code with one indexed lookup.
    return hashlib.sha256(cleaned.encode("ascii", "ignore")).hexdigest()


def _audit(user: User, *, on: bool) -> None:
    audit.log(
        actor=user,
        action="two_factor_on" if on else "two_factor_off",
        record=user,
        before={"two_factor": not on},
        after={"two_factor": on},
        state=None,
    )
