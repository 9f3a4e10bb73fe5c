"""Writes every record type shares: the trash (move, restore, purge), bulk changes such as
a new owner, and going back to an earlier version. Each is checked against the one
permission rule, audited, and kept in step with search, whatever the record type."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, permissions, records, search
from clientela.core.concurrency import claim_version
from clientela.core.models import AuditEntry, Record

if TYPE_CHECKING:
    from clientela.core.actors import Actor

_R = TypeVar("_R", bound=Record)

IN_TRASH = "in_trash"


def fresh(record: models.Model) -> None:
    """Forget prefetched related rows a save may have replaced."""
    getattr(record, "_prefetched_objects_cache", {}).clear()


def change_each(
    *, actor: Actor | None, records: Sequence[_R], change: Callable[[_R], object]
) -> int:
    """Apply `change` to each record with its version raised, search entry and audit."""
    for record in records:
        permissions.check(actor, record, "edit")
        before = audit.snapshot(record)
        change(record)
        claim_version(record, None)
        if record.deleted_at is None:  # a trashed record stays out of search
            search.index(record)
        fresh(record)
        audit.log(
            actor=actor, action="update", record=record, before=before, after=audit.snapshot(record)
        )
    return len(records)


@transaction.atomic
def assign_owner(*, actor: Actor | None, records: Sequence[Record], owner: Actor | None) -> int:
    def change(record: Record) -> None:
        # The owner is a users.User, which the kernel below the users app knows as Actor.
        record.owner = owner  # type: ignore[assignment]
        record.save(update_fields=["owner", "updated_at"])

    return change_each(actor=actor, records=records, change=change)


def trash_record(*, actor: Actor | None, record: Record, action: str = "delete") -> None:
    """Move one record to the trash: out of lists and search, restorable."""
    _set_in_trash(actor, record, in_trash=True, action=action)


def untrash_record(*, actor: Actor | None, record: Record, action: str = "restore") -> None:
    _set_in_trash(actor, record, in_trash=False, action=action)


def _set_in_trash(actor: Actor | None, record: Record, *, in_trash: bool, action: str) -> None:
    permissions.check(actor, record, "delete")
    record.deleted_at = timezone.now() if in_trash else None
    record.save(update_fields=["deleted_at", "updated_at"])
    claim_version(record, None)
    if in_trash:
        search.remove(record)
    else:
        search.index(record)
    audit.log(
        actor=actor,
        action=action,
        record=record,
        before={IN_TRASH: not in_trash},
        after={IN_TRASH: in_trash},
        state=None,
    )


@transaction.atomic
def move_to_trash(*, actor: Actor | None, records: Sequence[Record]) -> int:
    for record in records:
        trash_record(actor=actor, record=record)
    return len(records)


@transaction.atomic
def restore_from_trash(*, actor: Actor | None, records: Sequence[Record]) -> int:
    for record in records:
        untrash_record(actor=actor, record=record)
    return len(records)


@transaction.atomic
def purge(*, actor: Actor | None, records: Sequence[Record]) -> int:
    """Delete records from the trash for good; the audit trail keeps that it happened."""
    permissions.require(actor, "purge_trash")
    for record in records:
        if record.deleted_at is None:
            raise ValidationError(_("Only records in the trash can be deleted for good."))
        audit.log(
            actor=actor,
            action="purge",
            record=record,
            before={IN_TRASH: True},
            after={},
            state=None,
        )
        record.delete()
    return len(records)


def purge_expired_trash(*, actor: Actor | None = None, days: int | None = None) -> int:
    """Delete what has been in the trash longer than the retention (CLIENTELA_TRASH_DAYS)."""
    days = settings.TRASH_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    purged = 0
    for model in records.record_models().values():
        expired = list(model.objects.filter(deleted_at__lt=cutoff)[:1000])
        purged += purge(actor=actor, records=expired)
    return purged


@transaction.atomic
def restore_version(*, actor: Actor, entry: AuditEntry) -> Record:
    """Bring a record back to how it stood after `entry`; the restore is audited too."""
    record_type = records.TYPES.get(entry.content_type.model)
    if entry.state is None or record_type is None or record_type.restore is None:
        raise ValidationError(_("This change has no version to go back to."))
    record = record_type.model._default_manager.get(pk=entry.object_id)
    permissions.require(actor, "restore_versions")
    # The type's own save path checks the edit and raises the version, as any edit does.
    return record_type.restore(
        actor=actor, record=record, state=entry.state, action="restore version"
    )
