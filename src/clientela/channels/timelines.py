"""A message on the timelines of the people it names: who they are (their e-mail
addresses), and the message as an e-mail entry on their timelines and those rolling them
up, with its files."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from clientela.activities import services as activities
from clientela.activities.models import Activity, ActivityKind, TimelineLink
from clientela.channels import mail
from clientela.channels.models import Channel, Message
from clientela.core import audit
from clientela.core.records import timeline_records
from clientela.customers import selectors as customer_selectors

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User

log = logging.getLogger(__name__)


def contacts_for(addresses: list[str], own: set[str]) -> list[Record]:
    """Every live contact a message names, but for the accounts' own addresses (`own`):
    one statement, as it runs for every message fetched."""
    return list(customer_selectors.holding_emails(a for a in addresses if a not in own))


def put_on_timelines(
    message: Message,
    records: list[Record],
    files: list[mail.Attachment],
    *,
    actor: User | None = None,
) -> None:
    """The message as an e-mail entry on the records' timelines (and those rolling them up),
    its files as files of the entry; an entry it has already gains the new records."""
    if message.activity_id is None:
        activity = activities.record_event(
            actor=actor,
            records=records,
            kind=ActivityKind.EMAIL,
            subject=message.subject or _("(no subject)"),
            body=message.text,
            occurred_at=message.sent_at,
            direction=message.direction,
            channel=Channel.EMAIL,
        )
        message.activity = activity
        message.save(update_fields=["activity"])
        audit.log(actor=actor, action="create", record=activity, after=audit.snapshot(activity))
    else:
        activity = Activity.objects.get(pk=message.activity_id)
        linked = set(
            TimelineLink.objects.filter(activity=activity).values_list(
                "content_type_id", "object_id"
            )
        )
        new: dict[tuple[int, int], Record] = {}
        for record in records:
            for target in timeline_records(record):
                key = (ContentType.objects.get_for_model(target).pk, target.pk)
                if key not in linked:
                    new[key] = target
        if new:
            activities.link_records(activity, list(new.values()))
    for item in files:
        try:
            activities.attach_file(
                actor=None,
                record=records[0],
                upload=SimpleUploadedFile(item.name, item.data, item.content_type),
                activity=activity,
                checked=True,
            )
        except ValidationError as error:  # a type or size not taken: the message stays
            log.info("attachment %s of %s left out: %s", item.name, message.pk, error)
