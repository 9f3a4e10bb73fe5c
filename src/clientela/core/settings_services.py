"""Every write of the settings lists (core.settings_pages): add or change a row, delete one
nothing uses, and put a deleted one back from the audit trail. Checked against the page's
capability, validated by the model, audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ForeignObjectRel, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from clientela.core import audit
from clientela.core.models import AuditEntry
from clientela.core.settings_pages import SettingsPage

if TYPE_CHECKING:
    from django.db import models

    from clientela.core.actors import Actor


def _may_manage(actor: Actor | None, page: SettingsPage) -> None:
    if not page.allows(actor):
        raise PermissionDenied(
            _("Your role does not allow changing %(page)s.") % {"page": page.label}
        )


def _tidy(value: Any) -> Any:
    """Text as a person meant it: no spaces around it, none doubled inside."""
    return " ".join(value.split()) if isinstance(value, str) and "\n" not in value else value


@transaction.atomic
def save_setting(
    *, actor: Actor | None, page: SettingsPage, instance: models.Model | None, data: dict
) -> models.Model:
    """A new row (`instance` None) or a change to the fields in `data`, through the page's
    own service when it has one."""
    _may_manage(actor, page)
    for name in page.fixed_fields(instance):
        if name in data and data[name] != getattr(instance, name):
            raise ValidationError(
                {
                    name: _("“%(name)s” keeps this: the application relies on it.")
                    % {"name": instance}
                }
            )
    if page.check is not None:
        page.check(instance, data)
    if page.save is not None:
        return page.save(actor=actor, instance=instance, data=data)
    creating = instance is None or instance.pk is None  # the seller's first save too
    before = None if creating or instance is None else audit.snapshot(instance)
    row = page.model() if instance is None else instance
    many = {f.name for f in page.model._meta.many_to_many}
    for name, value in data.items():
        if name not in many:
            setattr(row, name, _tidy(value))
    row.full_clean()
    row.save()
    for name in many & set(data):  # set once the row has an id
        getattr(row, name).set(data[name])
    if page.only_one and getattr(row, page.only_one):
        others = page.model._default_manager.filter(**{page.only_one: True}).exclude(pk=row.pk)
        for other in others:  # each loses the flag the same way, audited
            save_setting(actor=actor, page=page, instance=other, data={page.only_one: False})
    action = "create" if creating else "update"
    audit.log(actor=actor, action=action, record=row, before=before, after=audit.snapshot(row))
    return row


def in_use(instance: models.Model, owned: tuple[str, ...] = ()) -> str:
    """Why a row can't go: the rows pointing at it, counted by kind ("3 order lines, 1
    shipment"), but for the `owned` ones (model names) that go with it; empty when
    nothing does."""
    uses = []
    for relation in instance._meta.get_fields(include_hidden=True):  # related_name="+" too
        if not isinstance(relation, ForeignObjectRel):
            continue
        model = relation.related_model  # the model whose rows point here
        # A many-to-many's own link table is counted as the relation itself.
        if model is None or model._meta.auto_created or model._meta.model_name in owned:
            continue
        count = model._default_manager.filter(**{relation.field.name: instance}).count()
        if count:
            name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            uses.append(f"{count} {name}")
    return ", ".join(uses)


@transaction.atomic
def delete_setting(*, actor: Actor | None, page: SettingsPage, instance: models.Model) -> None:
    """Delete a row nothing uses, keeping it whole in the audit trail so it can be put
    back; a row in use is refused with what uses it."""
    _may_manage(actor, page)
    if page.only_one and getattr(instance, page.only_one):
        raise ValidationError(
            _("“%(name)s” is the default: make another one the default first.") % {"name": instance}
        )
    kept = page.kept(instance) if page.kept is not None else ""
    if kept:
        raise ValidationError(str(kept))
    reason = in_use(instance, page.owns)
    if reason:
        raise ValidationError(
            _("“%(name)s” can't be deleted: it is used by %(uses)s.")
            % {"name": instance, "uses": reason}
        )
    state = audit.snapshot(instance)
    audit.log(actor=actor, action="delete", record=instance, before=state, state=state)
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError):  # a use the count above could not see
        raise ValidationError(
            _("“%(name)s” can't be deleted: something still uses it.") % {"name": instance}
        ) from None


def deleted_lately(page: SettingsPage, limit: int = 5) -> list[AuditEntry]:
    """The page's rows deleted most recently that are still gone: what it offers to put
    back. Two queries."""
    model = page.model
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action="delete"
        ).order_by("-at", "-id")[: limit * 2]
    )
    back = set(
        model._default_manager.filter(pk__in=[e.object_id for e in entries]).values_list(
            "pk", flat=True
        )
    )
    gone, seen = [], set()
    for entry in entries:
        if entry.object_id not in back and entry.object_id not in seen:
            seen.add(entry.object_id)
            gone.append(entry)
    return gone[:limit]


@transaction.atomic
def restore_setting(*, actor: Actor | None, page: SettingsPage, entry: AuditEntry) -> models.Model:
    """Put a deleted row back as the audit trail kept it, under its old id, so what pointed
    at it by id (custom values, old audit entries) finds it again. Refused when a row now
    takes its place (the same name or key)."""
    _may_manage(actor, page)
    model = page.model
    if (
        entry.action != "delete"
        or entry.content_type_id != ContentType.objects.get_for_model(model).pk
    ):
        raise ValidationError(_("That entry is not a deleted row of this list."))
    if model._default_manager.filter(pk=entry.object_id).exists():
        raise ValidationError(_("“%(name)s” is back already.") % {"name": entry.object_repr})
    row = model(pk=entry.object_id)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    for name, value in (entry.state or {}).items():
        if name in fields:
            setattr(row, name, fields[name].to_python(value))
    try:
        row.full_clean()
    except ValidationError as error:
        raise ValidationError(
            _("“%(name)s” can't be put back: %(why)s")
            % {"name": entry.object_repr, "why": " ".join(error.messages)}
        ) from None
    row.save(force_insert=True)
    for many in model._meta.many_to_many:  # the links to rows that are still there
        kept = (entry.state or {}).get(many.name) or []
        getattr(row, many.name).set(many.related_model._default_manager.filter(pk__in=kept))
    audit.log(actor=actor, action="restore", record=row, after=audit.snapshot(row))
    return row
