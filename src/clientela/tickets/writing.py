"""What every ticket step shares: the checks of typed text, choices and files, the
edit check, and the one save (version, index, audit) every change of a ticket ends in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.core import audit, permissions, search
from clientela.core.concurrency import claim_version
from clientela.core.record_services import fresh
from clientela.tickets.models import Ticket
from clientela.users.models import User

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


MAX_TEXT = 20_000
MAX_FILES = 10


def clean_text(value: str, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return text


def check_choice(value: str, choices: list[str], field: str) -> None:
    if value not in choices:
        raise ValidationError({field: _("Choose one of: %(c)s.") % {"c": ", ".join(choices)}})


def check_files(attachments: Sequence[UploadedFile]) -> None:
    if len(attachments) > MAX_FILES:
        raise ValidationError({"attachments": _("At most %(n)d files.") % {"n": MAX_FILES}})
    for upload in attachments:
        activities.check_file(upload)


def may_edit(actor: User | None, ticket: Ticket) -> None:
    permissions.check(actor, ticket, "edit")
    if ticket.deleted_at is not None:
        raise ValidationError(_("This ticket is in the trash."))


def saved(
    actor: User | None,
    ticket: Ticket,
    before: dict,
    action: str,
    fields: list[str],
    expected_version: int | None,
    extra: dict | None = None,
) -> Ticket:
    """Save the changed fields, raise the version (refusing a stale one), re-index and
    write the audit entry: every change of a ticket ends here."""
    claim_version(ticket, expected_version)
    ticket.save(update_fields=[*fields, "updated_at"])
    search.index(ticket)
    fresh(ticket)
    after = audit.snapshot(ticket)
    if extra:
        before = {**before, **{key: "" for key in extra}}
        after = {**after, **extra}
    audit.log(actor=actor, action=action, record=ticket, before=before, after=after)
    return ticket


def assign_owner(actor: User | None, ticket: Ticket, owner: User | None, reason: str = "") -> None:
    before = audit.snapshot(ticket)
    ticket.owner = owner
    saved(actor, ticket, before, "assign", ["owner"], None, {"reason": reason} if reason else None)
