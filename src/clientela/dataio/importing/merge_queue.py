"""The merge queue's own write: a flagged pair said to be two people. Merging a pair goes
through the customers merge (its page and service); the queue's list is
`selectors.suspected_duplicates`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.dataio.models import SuspectedDuplicate

if TYPE_CHECKING:
    from clientela.users.models import User


def dismiss_duplicate(*, actor: User, pair: SuspectedDuplicate) -> None:
    """Say the two contacts of a flagged pair are two people: the pair leaves the queue."""
    permissions.require(actor, "import")
    with transaction.atomic():
        updated = SuspectedDuplicate.objects.filter(
            pk=pair.pk, status=SuspectedDuplicate.Status.OPEN
        ).update(
            status=SuspectedDuplicate.Status.DISMISSED,
            resolved_by=actor,
            resolved_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("This pair was dealt with already."))
        pair.refresh_from_db()
        audit.log(actor=actor, action="dismiss", record=pair, after={"status": pair.status})
