"""Merging two contacts or two companies into one, and undoing it."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities.models import Attachment, Task, TimelineLink
from clientela.core import audit, permissions, search
from clientela.core.concurrency import claim_version
from clientela.core.record_services import trash_record, untrash_record
from clientela.core.text import fold
from clientela.customers.models import (
    Address,
    Company,
    Contact,
    EmailAddress,
    Employment,
    LifecycleChange,
    Merge,
    PhoneNumber,
)

# Fields a person chooses between when merging, by record type (attribute names).
MERGE_FIELDS = {
    Contact: (
        "full_name",
        "given_name",
        "family_name",
        "position",
        "company_id",
        "lifecycle_stage_id",
        "source",
        "owner_id",
        "marketing_consent",
        "next_step",
        "custom",
    ),
    Company: (
        "name",
        "legal_name",
        "tax_id",
        "industry",
        "size",
        "website",
        "status",
        "owner_id",
        "custom",
    ),
}
POINT_MODELS: dict[str, type[EmailAddress] | type[PhoneNumber] | type[Address]] = {
    "emails": EmailAddress,
    "phones": PhoneNumber,
    "addresses": Address,
}
RECORD_ROWS: dict[str, type[Task] | type[Attachment]] = {"tasks": Task, "files": Attachment}


def _owner_field(record) -> str:
    return "contact" if isinstance(record, Contact) else "company"


def _point_key(point) -> str:
    if isinstance(point, EmailAddress):
        return point.address
    if isinstance(point, PhoneNumber):
        return point.e164
    return str(point).lower()


def _refresh_primary(record) -> None:
    owner = {_owner_field(record): record}
    record.email = next(
        iter(EmailAddress.objects.filter(**owner).values_list("address", flat=True)), ""
    )
    record.phone = next(
        iter(PhoneNumber.objects.filter(**owner).values_list("e164", flat=True)), ""
    )


@transaction.atomic
def merge(
    *, actor, survivor, duplicate, take_from_duplicate: AbstractSet[str] = frozenset()
) -> Merge:
    """Make `duplicate` part of `survivor`: chosen fields, contact points, tags, timeline,
    tasks and files move over; the duplicate goes to the trash. Undo with `undo`."""
    model = type(survivor)
    if type(duplicate) is not model or model not in MERGE_FIELDS:
        raise ValidationError(_("Only two contacts or two companies can be merged."))
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if duplicate.deleted_at is not None or survivor.deleted_at is not None:
        raise ValidationError(_("A record in the trash cannot be merged."))
    permissions.check(actor, survivor, "edit")
    permissions.check(actor, duplicate, "delete")
    fields = MERGE_FIELDS[model]
    unknown = set(take_from_duplicate) - set(fields)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})

    survivor_before = audit.snapshot(survivor)
    snapshot: dict = {"fields": {name: getattr(survivor, name) for name in fields}, "moved": {}}
    snapshot["fields"]["last_activity_at"] = (
        survivor.last_activity_at.isoformat() if survivor.last_activity_at else None
    )
    for name in take_from_duplicate:
        setattr(survivor, name, getattr(duplicate, name))
    survivor.name_key = fold(survivor.full_name if model is Contact else survivor.name)[:200]

    owner_field = _owner_field(survivor)
    for label, point_model in POINT_MODELS.items():
        have = {_point_key(p) for p in point_model.objects.filter(**{owner_field: survivor})}
        moving = [
            p.pk
            for p in point_model.objects.filter(**{owner_field: duplicate})
            if _point_key(p) not in have
        ]
        point_model.objects.filter(pk__in=moving).update(**{owner_field: survivor})
        snapshot["moved"][label] = moving

    added_tags = set(duplicate.tags.values_list("pk", flat=True)) - set(
        survivor.tags.values_list("pk", flat=True)
    )
    survivor.tags.add(*added_tags)
    snapshot["tags_added"] = sorted(added_tags)

    content_type = ContentType.objects.get_for_model(model)
    on_survivor = TimelineLink.objects.filter(content_type=content_type, object_id=survivor.pk)
    links = TimelineLink.objects.filter(content_type=content_type, object_id=duplicate.pk).exclude(
        activity_id__in=on_survivor.values("activity_id")
    )
    snapshot["moved"]["links"] = list(links.values_list("pk", flat=True))
    TimelineLink.objects.filter(pk__in=snapshot["moved"]["links"]).update(object_id=survivor.pk)
    for label, row_model in RECORD_ROWS.items():
        rows = row_model.objects.filter(content_type=content_type, object_id=duplicate.pk)
        snapshot["moved"][label] = list(rows.values_list("pk", flat=True))
        rows.update(object_id=survivor.pk)
    if isinstance(survivor, Contact):
        history: tuple[tuple[str, type[Employment] | type[LifecycleChange]], ...] = (
            ("employments", Employment),
            ("stage_changes", LifecycleChange),
        )
        for label, history_model in history:
            moved_rows = history_model.objects.filter(contact=duplicate)
            snapshot["moved"][label] = list(moved_rows.values_list("pk", flat=True))
            moved_rows.update(contact=survivor)
    else:
        people = Contact.objects.filter(company=duplicate)
        snapshot["moved"]["contacts"] = list(people.values_list("pk", flat=True))
        people.update(company=survivor)
        for contact in Contact.objects.filter(pk__in=snapshot["moved"]["contacts"]):
            search.index(contact)

    times = [t for t in (survivor.last_activity_at, duplicate.last_activity_at) if t]
    survivor.last_activity_at = max(times) if times else None
    _refresh_primary(survivor)
    survivor.save()
    claim_version(survivor, None)
    search.index(survivor)
    getattr(survivor, "_prefetched_objects_cache", {}).clear()
    audit.log(
        actor=actor,
        action="merge",
        record=survivor,
        before=survivor_before,
        after=audit.snapshot(survivor),
    )
    trash_record(actor=actor, record=duplicate, action="merged away")

    return Merge.objects.create(
        record_type=model._meta.model_name,
        survivor_id=survivor.pk,
        duplicate_id=duplicate.pk,
        snapshot=snapshot,
        created_by=actor,
    )


@transaction.atomic
def undo(*, actor, merge_record: Merge) -> None:
    """Put both records back as they were before the merge."""
    merge_record = Merge.objects.select_for_update().get(pk=merge_record.pk)
    if merge_record.undone_at is not None:
        raise ValidationError(_("This merge was undone already."))
    model = Contact if merge_record.record_type == "contact" else Company
    survivor = model.objects.get(pk=merge_record.survivor_id)
    duplicate = model.objects.get(pk=merge_record.duplicate_id)
    snapshot = merge_record.snapshot
    moved = snapshot["moved"]

    fields = dict(snapshot["fields"])
    last_activity = fields.pop("last_activity_at")
    for name, value in fields.items():
        setattr(survivor, name, value)
    survivor.last_activity_at = last_activity
    survivor.name_key = fold(
        survivor.full_name if isinstance(survivor, Contact) else survivor.name
    )[:200]

    owner_field = _owner_field(survivor)
    for label, point_model in POINT_MODELS.items():
        point_model.objects.filter(pk__in=moved[label]).update(**{owner_field: duplicate})
    survivor.tags.remove(*snapshot["tags_added"])
    TimelineLink.objects.filter(pk__in=moved["links"]).update(object_id=duplicate.pk)
    for label, row_model in RECORD_ROWS.items():
        row_model.objects.filter(pk__in=moved[label]).update(object_id=duplicate.pk)
    if model is Contact:
        Employment.objects.filter(pk__in=moved["employments"]).update(contact=duplicate)
        LifecycleChange.objects.filter(pk__in=moved["stage_changes"]).update(contact=duplicate)
    else:
        Contact.objects.filter(pk__in=moved["contacts"]).update(company=duplicate)
        for contact in Contact.objects.filter(pk__in=moved["contacts"]):
            search.index(contact)

    survivor_before = audit.snapshot(survivor)
    _refresh_primary(survivor)
    survivor.save()
    claim_version(survivor, None)
    search.index(survivor)
    getattr(survivor, "_prefetched_objects_cache", {}).clear()
    audit.log(
        actor=actor,
        action="undo merge",
        record=survivor,
        before=survivor_before,
        after=audit.snapshot(survivor),
    )
    untrash_record(actor=actor, record=duplicate, action="undo merge")
    merge_record.undone_at = timezone.now()
    merge_record.save(update_fields=["undone_at"])
