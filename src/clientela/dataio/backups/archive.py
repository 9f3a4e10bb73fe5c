"""The backup archive on disk: a gzipped tar with a manifest, table files and uploads."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from clientela.dataio.backups import workfiles

FORMAT = "clientela-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
UPLOADS_DIR = "uploads"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be used; the message says why."""


@dataclass(frozen=True)
class Member:
    name: str  # the path inside the archive
    source: Path  # the file on disk that goes in
    size: int
    sha256: str


def copy_digest(source, target=None) -> tuple[int, str]:
    """Read a file object to its end (copying it to `target` if given): size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return size, digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        return copy_digest(handle)


def member_for(name: str, source: Path) -> Member:
    size, sha = file_digest(source)
    return Member(name=name, source=source, size=size, sha256=sha)


def write(final: Path, manifest: dict, members: list[Member]) -> tuple[int, str]:
    """Write the archive under a temporary name, then rename it: never a half archive.

    Returns the archive's size and SHA-256.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.name}.", suffix=".part"
    )
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as raw:
            # Locked while written: a later backup removes it only once this one is gone.
            workfiles.hold(raw)
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(os.path.getmtime(final.parent))
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
                for member in members:
                    info = tarfile.TarInfo(member.name)
                    info.size = member.size
                    info.mode = 0o600
                    info.mtime = int(member.source.stat().st_mtime)
                    with member.source.open("rb") as content:
                        tar.addfile(info, content)
            raw.flush()
            os.fsync(raw.fileno())
        temporary.chmod(0o600)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return file_digest(final)


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(
            _("The archive holds a file with an unsafe name: %(name)s.") % {"name": name}
        )
    return path


def extract(archive: Path, into: Path) -> dict:
    """Unpack every file into `into`, checking each against the manifest; returns the manifest.

    Raises ArchiveError, with nothing outside `into` touched, when the archive is missing,
    damaged, incomplete, or does not match its manifest.
    """
    if not archive.is_file():
        raise ArchiveError(_("There is no backup archive at %(path)s.") % {"path": archive})
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                if info.isdir():
                    continue
                if not info.isfile():
                    raise ArchiveError(
                        _("The archive holds something that is not a plain file: %(name)s.")
                        % {"name": info.name}
                    )
                path = safe_name(info.name)
                content = tar.extractfile(info)
                assert content is not None  # a plain file, checked above
                if info.name == MANIFEST:
                    manifest_bytes = content.read()
                    continue
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    found[info.name] = copy_digest(content, out)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveError(
            _("The archive %(name)s is damaged or incomplete (%(reason)s).")
            % {"name": archive.name, "reason": error}
        ) from None
    manifest = read_manifest(manifest_bytes, archive)
    listed = {item["path"]: (item["size"], item["sha256"]) for item in manifest_files(manifest)}
    for name in sorted(listed.keys() | found.keys()):
        if name not in found:
            raise ArchiveError(
                _("The archive is incomplete: %(name)s is listed in its manifest but missing.")
                % {"name": name}
            )
        if name not in listed:
            raise ArchiveError(
                _("The archive holds %(name)s, which its manifest does not list.") % {"name": name}
            )
        if found[name] != tuple(listed[name]):
            raise ArchiveError(
                _("The archive is damaged: %(name)s does not match its checksum.") % {"name": name}
            )
    return manifest


def read_manifest(data: bytes | None, archive: Path) -> dict:
    if data is None:
        raise ArchiveError(
            _("%(name)s has no manifest: it is not a Clientela backup, or it is incomplete.")
            % {"name": archive.name}
        )
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError(_("The archive's manifest is damaged.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(_("%(name)s is not a Clientela backup.") % {"name": archive.name})
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise ArchiveError(
            _("This backup was written by a newer version of Clientela; install it to restore.")
        )
    try:
        manifest_files(manifest)
        [(table["table"], table["rows"], table["checksum"]) for table in manifest["tables"]]
        [tuple(key) for key in manifest["migrations"]]
    except (KeyError, TypeError):
        raise ArchiveError(_("The archive's manifest is damaged.")) from None
    return manifest


def manifest_files(manifest: dict) -> list[dict]:
    return [
        {"path": t["file"], "size": t["size"], "sha256": t["sha256"]} for t in manifest["tables"]
    ] + list(manifest["files"])
