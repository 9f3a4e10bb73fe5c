"""Which records the demo data set added, and taking exactly those away again: into the
trash, one audited entry each, so an administrator who removed them too soon restores them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max

from clientela.core import permissions, record_services, records
from clientela.core.models import DemoRecord

if TYPE_CHECKING:
    from clientela.core.actors import Actor


def last_ids() -> dict[str, int]:
    """The highest id of each record type now: what the demo adds comes after these."""
    return {
        name: model.objects.aggregate(top=Max("pk"))["top"] or 0
        for name, model in records.record_models().items()
    }


def mark_added_since(before: dict[str, int]) -> int:
    """Mark every record made after `before` (the demo command's own run) as demo data."""
    marks = []
    for name, model in records.record_models().items():
        content_type = ContentType.objects.get_for_model(model)
        ids = model.objects.filter(pk__gt=before.get(name, 0)).values_list("pk", flat=True)
        marks += [DemoRecord(content_type=content_type, object_id=pk) for pk in ids]
    DemoRecord.objects.bulk_create(marks, ignore_conflicts=True)
    return len(marks)


def present() -> bool:
    return DemoRecord.objects.exists()


def may_remove(user: Actor | None) -> bool:
    return permissions.can(user, "manage_settings")


def banner(user: Actor | None) -> dict[str, bool]:
    """What the demo banner (components/demo_banner.html) needs, for the pages showing it."""
    shown = present()
    return {"demo": shown, "can_remove_demo": shown and may_remove(user)}


@transaction.atomic
def remove(*, actor: Actor) -> int:
    """Move every demo record still live to the trash and forget the marks (the banner
    goes); records people added, and demo records they already trashed, are left as they
    are. Returns how many records went to the trash."""
    permissions.require(actor, "manage_settings")
    moved = 0
    by_type: dict[int, list[int]] = {}
    for content_type_id, object_id in DemoRecord.objects.values_list(
        "content_type_id", "object_id"
    ):
        by_type.setdefault(content_type_id, []).append(object_id)
    for model in records.record_models().values():
        ids = by_type.get(ContentType.objects.get_for_model(model).pk, [])
        live = list(model.objects.filter(pk__in=ids, deleted_at__isnull=True))
        moved += record_services.move_to_trash(actor=actor, records=live)
    DemoRecord.objects.all().delete()
    return moved
