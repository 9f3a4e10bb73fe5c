"""An agent's reply or internal note on a ticket, which may move it on in the same step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind
from clientela.core import audit, merge_fields, phrases
from clientela.tickets import knowledge, outbound
from clientela.tickets.models import Article, Ticket, TicketMessage, TicketStatus
from clientela.tickets.statuses import allowed_statuses, move_status
from clientela.tickets.writing import (
    MAX_TEXT,
    check_choice,
    check_files,
    clean_text,
    may_edit,
    saved,
)
from clientela.users.models import User

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


@transaction.atomic
def reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    status: str = "",
    expected_version: int | None = None,
    articles: Sequence[Article] = (),
) -> TicketMessage:
    """An agent's public reply (the first one stops the first-response clock, and a new
    ticket becomes open) or internal note, with its files; `status` moves the ticket on
    in the same step ("reply and wait for the customer"). Merge fields of canned replies
    are filled from the ticket; `articles` inserted into it are linked to the ticket."""
    may_edit(actor, ticket)
    body = clean_text(body, "body", required=True, limit=MAX_TEXT)
    body = merge_fields.fill(body, merge_fields.Sources.about(ticket, actor))
    check_files(attachments)
    now = timezone.now()
    entry = activities.record_event(
        actor=actor,
        records=[ticket],
        kind=ActivityKind.TICKET,
        subject=phrases.gettext("Internal note on ticket #%(number)s", number=ticket.pk)
        if internal
        else phrases.gettext("Reply on ticket #%(number)s", number=ticket.pk),
        body=body,
        occurred_at=now,
    )
    message = TicketMessage.objects.create(ticket=ticket, activity=entry, internal=internal)
    knowledge.link_articles(actor=actor, ticket=ticket, articles=articles)
    for upload in attachments:
        activities.attach_file(
            actor=actor, record=ticket, upload=upload, activity=entry, checked=True
        )
    before = audit.snapshot(ticket)
    fields: list[str] = []
    if not internal and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        fields.append("first_responded_at")
    target = status or (
        TicketStatus.OPEN if not internal and ticket.status == TicketStatus.NEW else ""
    )
    if target and target != ticket.status:
        check_choice(target, list(TicketStatus.values), "status")
        if target not in allowed_statuses(ticket.status):
            raise ValidationError(
                {
                    "status": _("The ticket can't move to %(to)s now.")
                    % {"to": TicketStatus(target).label}
                }
            )
        move_status(
            actor=actor,
            ticket=ticket,
            to=target,
            now=now,
            expected_version=expected_version,
            before=before,
            also=fields,
        )
    elif fields or expected_version is not None:
        saved(actor, ticket, before, "update", fields, expected_version)
    outbound.queue_delivery(message)
    return message
