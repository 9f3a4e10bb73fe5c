"""Timeline entries and tasks of an import: new ones checked row by row and written a batch
at a time (`OtherBatch.queue`), the rows whose record an earlier import brought in updating
it through the app's services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from clientela.activities import batches as activity_batches
from clientela.activities import imported as activity_imports
from clientela.activities import services as activity_services
from clientela.activities.models import Activity, Task
from clientela.dataio.importing import rewrites
from clientela.dataio.importing.order_batches import OrderBatch
from clientela.dataio.importing.other_batches import (
    LINK_ORDER,
    OtherBatch,
    ProductBatch,
    Row,
    _Refused,
)

if TYPE_CHECKING:
    from clientela.core.models import Record
    from clientela.dataio.importing.rows import Converted


class ActivityBatch(OtherBatch):
    """Notes, calls, meetings and e-mails, each on the timeline of the record it names
    (a deal, else a contact, else a company) and of those it belongs to."""

    def write(self, group: list[Row]) -> None:
        number, _cells, converted = group[0]
        record = self.record(converted, LINK_ORDER)
        assert record is not None  # the row was refused without one
        data = dict(converted.data)
        if (pk := self.existing(converted)) is not None:
            before = activity_imports.update_imported(
                actor=self.actor,
                record=record,
                activity=Activity.objects.get(pk=pk),
                changes={name: value for name, value in data.items() if value is not None},
            )
            return self.changed(number, "activity", pk, before, converted.external_id)
        kind, occurred_at = data.pop("kind"), data.pop("occurred_at", None)
        activity = activity_services.log_activity(
            actor=self.actor, record=record, kind=kind, occurred_at=occurred_at, **data
        )
        self.created(number, converted, "activity", activity.pk)

    def batched(self) -> bool:
        return True

    def prepare_new(self, group: list[Row]) -> tuple[Record, Activity]:
        record = self.record(group[0][2], LINK_ORDER)
        assert record is not None  # the row was refused without one
        data = dict(group[0][2].data)
        kind, occurred_at = data.pop("kind"), data.pop("occurred_at", None)
        activity = activity_services.prepare_activity(
            actor=self.actor, kind=kind, occurred_at=occurred_at, **data
        )
        return record, activity

    def write_new(self, prepared: list) -> Sequence[Model]:
        return activity_batches.log_activities(actor=self.actor, entries=prepared)


class TaskBatch(OtherBatch):
    """Tasks, on the record they name (if any), for the user the file names (else the
    person importing), done already when the file says so."""

    def write(self, group: list[Row]) -> None:
        number, _cells, converted = group[0]
        record, assignee = self.task_record(converted), self.assignee(converted)
        data = converted.data
        if (pk := self.existing(converted)) is not None:
            return self.rewrite(number, converted, Task.objects.get(pk=pk), assignee)
        task = activity_services.create_task(
            actor=self.actor,
            title=data["title"],
            assignee=assignee,
            due_at=data.get("due_at"),
            priority=data.get("priority", "normal"),
            record=record,
            notes=data.get("notes", ""),
        )
        if data.get("done") and self.actor is not None:
            activity_services.set_task_done(actor=self.actor, task=task, done=True)
        self.created(number, converted, "task", task.pk)

    def task_record(self, converted: Converted) -> Record | None:
        """The record the row names, or None (and a warning) when it is not there."""
        try:
            return self.record(converted, LINK_ORDER)
        except _Refused as missing:
            warning = (
                missing.problem[0],
                missing.problem[1] + " " + _("The task is stored alone."),
            )
            if warning not in converted.warnings:  # checked once, then written alone
                converted.warnings.append(warning)
            return None

    def assignee(self, converted: Converted):
        assignee = converted.data.get("owner") or self.lookups.fallback_owner or self.actor
        if assignee is None:
            raise ValidationError(_("Name who the task is for in a column."))
        return assignee

    def batched(self) -> bool:
        return True

    def prepare_new(self, group: list[Row]) -> tuple[Record | None, Task]:
        converted = group[0][2]
        record, data = self.task_record(converted), converted.data
        task = activity_services.prepare_task(
            actor=self.actor,
            title=data["title"],
            assignee=self.assignee(converted),
            due_at=data.get("due_at"),
            priority=data.get("priority", "normal"),
            record=record,
            notes=data.get("notes", ""),
            done=bool(data.get("done")) and self.actor is not None,
        )
        return record, task

    def write_new(self, prepared: list) -> Sequence[Model]:
        return activity_batches.create_tasks(actor=self.actor, tasks=prepared)

    def rewrite(self, number: int, converted: Converted, task: Task, assignee) -> None:
        data = converted.data
        before = rewrites.task_state(task)
        activity_services.update_task(
            actor=self.actor,
            task=task,
            changes={
                "title": data["title"],
                "assignee": assignee,
                "due_at": data.get("due_at", task.due_at),
                "priority": data.get("priority", task.priority),
                "notes": data.get("notes") or task.notes,
            },
        )
        if "done" in data and bool(data["done"]) != (task.done_at is not None):
            assert self.actor is not None  # an import is always someone's
            activity_services.set_task_done(actor=self.actor, task=task, done=data["done"])
        self.changed(number, "task", task.pk, before, converted.external_id)


BATCHES: dict[str, type[OtherBatch]] = {
    "product": ProductBatch,
    "order": OrderBatch,
    "activity": ActivityBatch,
    "task": TaskBatch,
}
