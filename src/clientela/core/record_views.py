"""Pages every record type shares: the trash, a record's history and going back to an
earlier version. They work from the record type declarations (core.records), so a new
record type has them by declaring itself."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.core import audit, change_display, permissions, presenting, record_services, records
from clientela.core.models import AuditEntry, Record

if TYPE_CHECKING:
    from clientela.core.actors import Actor, ActorRequest

TRASH_ROWS = 200  # per record type


def _with_history(record_type: str) -> records.RecordType:
    """A declared record type that keeps restorable versions; Http404 for anything else."""
    declared = records.declared(record_type)
    if declared.restore is None:
        raise Http404
    return declared


@require_safe
def record_history(request: ActorRequest, record_type: str, pk: int) -> HttpResponse:
    declared = _with_history(record_type)
    record = get_object_or_404(declared.selector(request.user), pk=pk)
    entries = list(audit.history(record)[:200])
    memo: dict = {}
    # As the audit trail shows them: a new record's empty fields left out.
    shown = [
        audit.shown_changes(audit.masked_changes(entry.changes, request.user, record_type))
        for entry in entries
    ]
    change_display.prime([(type(record), changes) for changes in shown], memo)
    for entry, changes in zip(entries, shown, strict=True):
        entry.readable = change_display.readable(type(record), changes, memo)
        entry.action_shown = change_display.action_label(entry.action)
    return render(
        request,
        "core/history.html",
        {
            "record": presenting.present(request.user, record),
            "entries": entries,
            "restorable": True,
        },
    )


@require_POST
def restore_version(request: ActorRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(AuditEntry.objects.select_related("content_type"), pk=entry_id)
    declared = _with_history(entry.content_type.model)
    get_object_or_404(declared.selector(request.user), pk=entry.object_id)
    try:
        record = record_services.restore_version(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("core:record-history", record_type=declared.name, pk=entry.object_id)
    messages.success(request, _("The earlier version is back. This restore is in the history too."))
    return redirect(record.get_absolute_url())


def _trashed(user: Actor) -> list[tuple[Record, str]]:
    """Every record type's trash that the user could delete (and so may restore)."""
    rows = []
    for model in records.record_models().values():
        label = str(model._meta.verbose_name).capitalize()
        trashed = model.objects.trashed().visible_to(user, "delete")
        rows += [(record, label) for record in trashed.order_by("-deleted_at")[:TRASH_ROWS]]
    return sorted(rows, key=_deleted_at, reverse=True)


def _deleted_at(row: tuple[Record, str]) -> datetime.datetime:
    deleted_at = row[0].deleted_at
    assert deleted_at is not None  # the rows come from trashed()
    return deleted_at


@require_safe
def trash(request: ActorRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "core/trash.html",
        {
            "rows": [(presenting.present(user, record), label) for record, label in _trashed(user)],
            "days": settings.TRASH_RETENTION_DAYS,
            "may_purge": permissions.can(request.user, "purge_trash"),
        },
    )


@require_POST
def trash_action(request: ActorRequest) -> HttpResponse:
    model = records.record_models().get(request.POST.get("type", ""))
    if model is None:
        raise Http404
    record = get_object_or_404(
        model.objects.trashed().visible_to(request.user, "delete"), pk=request.POST.get("id")
    )
    action = request.POST.get("action")
    if action == "restore":
        record_services.restore_from_trash(actor=request.user, records=[record])
        messages.success(request, _("%(name)s is back.") % {"name": record})
    elif action == "purge":
        record_services.purge(actor=request.user, records=[record])
        messages.success(request, _("%(name)s was deleted for good.") % {"name": record})
    else:
        raise Http404
    return redirect("core:trash")
