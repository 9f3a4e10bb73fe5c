"""Every read about backups: the last one, the archives on disk, whether to warn."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from clientela.dataio.backups.backup import WARN_AFTER, archives_in
from clientela.dataio.models import Backup


@dataclass(frozen=True)
class ArchiveRow:
    name: str
    size: int
    taken_at: datetime.datetime
    record: Backup | None


def latest_backup() -> Backup | None:
    return Backup.objects.select_related("created_by").first()


def latest_verified_backup() -> Backup | None:
    return Backup.objects.filter(verified=True).first()


def needs_backup_warning(now: datetime.datetime | None = None) -> bool:
    """True when no backup taken in the last 48 hours has been verified."""
    since = (now or timezone.now()) - WARN_AFTER
    return not Backup.objects.filter(verified=True, created_at__gte=since).exists()


def archive_rows() -> list[ArchiveRow]:
    """The archives in the backups folder, newest first, each with its record when there is one."""
    found = archives_in()
    records = {
        record.path: record
        for record in Backup.objects.filter(path__in=[str(path) for path, _when in found])
    }
    return [
        ArchiveRow(
            name=path.name, size=path.stat().st_size, taken_at=when, record=records.get(str(path))
        )
        for path, when in found
    ]


def archive_path(name: str) -> Path | None:
    """The archive with this file name in the backups folder; None for any other name."""
    for path, _when in archives_in():
        if path.name == name:
            return path
    return None
