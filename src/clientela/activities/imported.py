"""Timeline entries an import wrote, written again from a corrected file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.activities.models import Activity, ActivityKind, TimelineLink
from clientela.activities.services import ACTIVITY_FIELDS, _empty, _may_log
from clientela.core import audit

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.users.models import User


@transaction.atomic
def update_imported(
    *, actor: User | None, record: Record | None, activity: Activity, changes: dict[str, Any]
) -> dict:
    """A timeline entry an import wrote, written again from a corrected file (or put back
    by undoing that, `record` None: the import's own undo): `kind`, `occurred_at` and the
    fields named take their new values, one audit entry. Returns how it stood before, as
    the audit trail keeps it."""
    if record is not None:
        _may_log(actor, record)
    unknown = set(changes) - {"kind", "occurred_at", *ACTIVITY_FIELDS}
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if changes.get("kind", activity.kind) not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown timeline entry type.")})
    values = {
        name: _empty(name) if value is None and name in ACTIVITY_FIELDS else value
        for name, value in changes.items()
    }
    ends_at, starts_at = values.get("ends_at"), values.get("occurred_at", activity.occurred_at)
    if ends_at and starts_at and ends_at < starts_at:
        raise ValidationError({"ends_at": _("A meeting can't end before it starts.")})
    previous = audit.plain_state({name: getattr(activity, name) for name in values})
    changed = [name for name, value in values.items() if getattr(activity, name) != value]
    if changed:
        before = audit.snapshot(activity)
        for name in changed:
            setattr(activity, name, values[name])
        activity.save(update_fields=changed)
        if {"kind", "occurred_at"} & set(changed):
            TimelineLink.objects.filter(activity=activity).update(
                kind=activity.kind, occurred_at=activity.occurred_at
            )
        after = audit.snapshot(activity)
        audit.log(actor=actor, action="update", record=activity, before=before, after=after)
    return previous
