"""The merge queue's own writes: a flagged pair merged (through the customers merge, the
contact already there keeping its fields and taking the imported one's e-mails, phones,
timeline and tasks) or said to be two people; either way the pair is settled and a later
import of the same rows does not raise it again. The queue's list is
`selectors.suspected_duplicates`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.customers import merging
from clientela.customers.models import Contact
from clientela.dataio.models import SuspectedDuplicate

if TYPE_CHECKING:
    from clientela.users.models import User


def dismiss_duplicate(*, actor: User, pair: SuspectedDuplicate) -> None:
    """Say the two contacts of a flagged pair are two people: the pair leaves the queue."""
    with transaction.atomic():
        _settle(actor, pair, SuspectedDuplicate.Status.DISMISSED, "dismiss")


def merge_duplicate(*, actor: User, pair: SuspectedDuplicate) -> None:
    """Merge the imported contact of a flagged pair into the one already there (undone
    from the merge's own undo); the pair is marked merged."""
    with transaction.atomic():
        _settle(actor, pair, SuspectedDuplicate.Status.MERGED, "merge")
        contacts = Contact.objects.in_bulk([pair.first_id, pair.second_id])
        if len(contacts) < 2:
            raise ValidationError(_("One of the two contacts is no longer there."))
        merging.merge(
            actor=actor, survivor=contacts[pair.first_id], duplicate=contacts[pair.second_id]
        )


def _settle(actor: User, pair: SuspectedDuplicate, status: str, action: str) -> None:
    permissions.require(actor, "import")
    updated = SuspectedDuplicate.objects.filter(
        pk=pair.pk, status=SuspectedDuplicate.Status.OPEN
    ).update(status=status, resolved_by=actor, resolved_at=timezone.now())
    if not updated:
        raise ValidationError(_("This pair was dealt with already."))
    pair.refresh_from_db()
    audit.log(actor=actor, action=action, record=pair, after={"status": pair.status})
