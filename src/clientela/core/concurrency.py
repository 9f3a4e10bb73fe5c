"""Refusing stale writes (R8): a save based on an old version of a record is an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from clientela.core.models import Record


class StaleRecordError(Exception):
    """Someone saved this record after the version the change was based on."""

    def __init__(self, record: models.Model, expected: int, current: int) -> None:
        self.record, self.expected, self.current = record, expected, current
        super().__init__(
            _("%(record)s was changed by someone else after you opened it. Reload to see it.")
            % {"record": record}
        )


def claim_version(record: Record, expected: int | None) -> None:
    """Raise the stored version by one if it is still `expected` (None: no check).

    One conditional UPDATE, so of two concurrent writers exactly one wins."""
    model = type(record)
    rows = model._default_manager.filter(pk=record.pk)
    if expected is not None:
        rows = rows.filter(version=expected)
    if rows.update(version=F("version") + 1) == 0:
        current = model._default_manager.filter(pk=record.pk).values_list("version", flat=True)
        raise StaleRecordError(record, expected or 0, next(iter(current), 0))
    if expected is not None:
        record.version = expected + 1
    else:
        record.version = model._default_manager.values_list("version", flat=True).get(pk=record.pk)
