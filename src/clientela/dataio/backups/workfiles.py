"""Working copies a backup, verification or restore makes in the data folder (a database
snapshot, table dumps, an unpacked archive, the archive being written), each held under a
lock while its process lives, and the removal of those a killed process left behind."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings

try:  # POSIX: a lock the system releases when its process dies, however it dies
    import fcntl
except ImportError:  # pragma: no cover - Windows: the age rule alone decides
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FOLDER_PREFIXES = (".backup-", ".snapshot-", ".restore-")
PART_SUFFIX = ".part"  # an archive being written: archive.write's temporary file
LOCK_NAME = ".in-use"
# Untouched this long and not locked: left behind. Without locks (Windows), a working copy
# is taken as left behind only after a day, longer than any backup takes.
QUIET_SECONDS = 60
UNLOCKED_SECONDS = 24 * 3600


def hold(handle: IO[bytes]) -> None:
    """Lock an open file for as long as this process keeps it open."""
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


@contextmanager
def working_folder(near: Path, prefix: str) -> Iterator[Path]:
    """A private folder in `near`, locked while in use, removed after."""
    near.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=near, prefix=prefix) as name:
        folder = Path(name)
        # Locked under another name first, then renamed: whoever sees the lock file sees
        # it locked.
        pending = folder / f".{uuid.uuid4().hex}"
        with pending.open("wb") as lock:
            hold(lock)
            pending.rename(folder / LOCK_NAME)
            yield folder


def _locked(path: Path) -> bool:
    """Whether a living process holds the lock on `path`."""
    if fcntl is None:
        return False
    try:
        with path.open("rb") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
    except OSError:
        return False
    return False


def _left_behind(path: Path, lock: Path, now: float) -> bool:
    try:
        quiet = now - path.stat().st_mtime
    except FileNotFoundError:
        return False
    if fcntl is None:
        return quiet > UNLOCKED_SECONDS
    return quiet > QUIET_SECONDS and not _locked(lock)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def leftovers() -> list[Path]:
    """Working copies in the data folder and the backups folder whose process is gone."""
    now = time.time()
    found = []
    folders = {Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT).parent}
    for folder in sorted(folders):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if (
                entry.name.startswith(FOLDER_PREFIXES)
                and entry.is_dir()
                and not entry.is_symlink()
                and _left_behind(entry, entry / LOCK_NAME, now)
            ):
                found.append(entry)
    backups = Path(settings.BACKUP_DIR)
    if backups.is_dir():
        for entry in backups.iterdir():
            if (
                entry.name.startswith(".")
                and entry.name.endswith(PART_SUFFIX)
                and entry.is_file()
                and _left_behind(entry, entry, now)
            ):
                found.append(entry)
    return found


def clean_leftovers() -> list[Path]:
    """Remove what `leftovers` finds; returns the paths removed."""
    removed = []
    for path in leftovers():
        try:
            size = _size(path)
            if path.is_dir():
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError as error:
            log.warning("Could not remove the left-behind working copy %s: %s", path, error)
            continue
        log.warning("Removed %s (%d bytes), left behind by a backup that was stopped.", path, size)
        removed.append(path)
    return removed
