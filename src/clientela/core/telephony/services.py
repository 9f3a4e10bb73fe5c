"""The phone system's dial address: read, checked, saved (audited, by roles that manage
settings), and the one link every phone number shown is given (`dial_href`)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.core.models import InstallationSetting

if TYPE_CHECKING:
    from django.http import HttpRequest

    from clientela.core.actors import Actor

DIAL_TEMPLATE_KEY = "dial_url_template"
PLACEHOLDER = "{number}"
MAX_LENGTH = 200  # InstallationSetting.value


def dial_template() -> str:
    """The dial address with {number} in it, or "" for plain `tel:` links."""
    return (
        InstallationSetting.objects.filter(key=DIAL_TEMPLATE_KEY)
        .values_list("value", flat=True)
        .first()
        or ""
    )


def request_dial_template(request: HttpRequest | None) -> str:
    """The dial address, read once for a request however many numbers its page shows."""
    if request is None:
        return dial_template()
    cached: str | None = getattr(request, "_dial_template", None)
    if cached is None:
        cached = dial_template()
        request._dial_template = cached  # type: ignore[attr-defined]
    return cached


def dial_href(e164: str, template: str = "") -> str:
    """Where a click on the number goes: the phone system's address with the number
    (E.164, URL-encoded) put in, or `tel:+40722123456`."""
    number = (e164 or "").strip()
    if not number:
        return ""
    if template:
        return template.replace(PLACEHOLDER, quote(number, safe=""))
    return "tel:" + quote(number, safe="+")


def clean_dial_template(value: str) -> str:
    template = (value or "").strip()
    if not template:
        return ""
    if len(template) > MAX_LENGTH:
        raise ValidationError({"template": _("At most %(n)d characters.") % {"n": MAX_LENGTH}})
    parts = urlsplit(template.replace(PLACEHOLDER, "0"))
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValidationError(
            {"template": _("The address starts with https:// or http:// and names a server.")}
        )
    if PLACEHOLDER not in template:
        raise ValidationError(
            {"template": _("Put {number} where the phone number goes in the address.")}
        )
    if any(ch.isspace() or ch in "<>\"'" for ch in template):
        raise ValidationError({"template": _("The address may not hold spaces or quotes.")})
    return template


@transaction.atomic
def set_dial_template(*, actor: Actor | None, template: str) -> str:
    """Save the phone system's dial address; empty goes back to `tel:` links."""
    if actor is not None and not permissions.can(actor, "manage_settings"):
        raise PermissionDenied(_("Only a role that manages settings may change telephony."))
    cleaned = clean_dial_template(template)
    before = dial_template()
    setting, _created = InstallationSetting.objects.update_or_create(
        key=DIAL_TEMPLATE_KEY, defaults={"value": cleaned}
    )
    audit.log(
        actor=actor,
        action="update",
        record=setting,
        before={DIAL_TEMPLATE_KEY: before},
        after={DIAL_TEMPLATE_KEY: cleaned},
    )
    return cleaned
