"""The CSS and JavaScript Clientela serves: hashed, compressed, and collected again only when
their sources change (a first start or an upgrade), not on every start."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.apps import StaticFilesConfig
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Beside WhiteNoise's manifest: what the collected files were collected from.
FINGERPRINT_FILE = "staticfiles.fingerprint"
# Packages whose versions change what collecting writes (hashing, compression).
COLLECTING_PACKAGES = ("clientela", "django", "whitenoise", "brotli")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed storage, compressing (Brotli at its highest level, and gzip) only
    the files pages load.

    Brotli at level 11 was most of every start. Pages ask for the hashed names alone
    ({% static %} reads them from the manifest), so the plain copies, kept for anything
    asking by the plain name, are served uncompressed: compressing both copies did the work
    twice. Source maps (.map) are fetched only by a browser's developer tools, yet were
    half of the bytes to compress (Swagger UI's and ReDoc's, 5 MB); they are served
    uncompressed too. About a fifth of the work remains, at the same level.
    """

    def compress_files(self, paths: Iterable[str]) -> Iterator[Any]:
        hashed = set(self.hashed_files.values())
        pages_load = [path for path in paths if path in hashed and not path.endswith(".map")]
        yield from super().compress_files(pages_load)


def _sources() -> list[tuple[str, str]]:
    """(name in the static folder, source file) for every file collectstatic collects,
    the first found for a name winning, as it does."""
    config = cast("StaticFilesConfig", apps.get_app_config("staticfiles"))
    ignore_patterns = config.ignore_patterns
    found: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            name = os.path.join(prefix, path) if prefix else path
            found.setdefault(name, storage.path(path))
    return sorted(found.items())


def fingerprint(sources: list[tuple[str, str]] | None = None) -> str:
    """A digest of every source file's name and contents, the versions and settings that
    change what collecting writes, and this module.

    Contents rather than sizes and modification times: a file unpacked or copied with its
    own time can change and keep both. Reading them all (about 10 MB) takes a few
    hundredths of a second.
    """
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(str(part).encode())
            digest.update(b"\0")

    for package in COLLECTING_PACKAGES:
        try:
            add(package, metadata.version(package))
        except metadata.PackageNotFoundError:  # run from a source tree, not installed
            add(package, None)
    add(settings.STATIC_URL, sorted(settings.STORAGES["staticfiles"].items()))
    for name in sorted(dir(settings)):
        if name.startswith(("WHITENOISE_", "STATICFILES_")):
            add(name, getattr(settings, name))
    add(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    for name, source in sources if sources is not None else _sources():
        add(name, hashlib.sha256(Path(source).read_bytes()).hexdigest())
    return digest.hexdigest()


def _root() -> Path:
    return Path(settings.STATIC_ROOT)


def is_current() -> bool:
    """Whether the static folder holds a whole collection made from the sources as they are."""
    try:
        stored = (_root() / FINGERPRINT_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return False
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not (_root() / manifest).is_file():
        return False
    return stored == fingerprint()


def collect() -> None:
    """Collect, hash and compress every static file, then record what it was made from."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    sources = _sources()
    wanted = fingerprint(sources)
    # Gone first: a collection stopped halfway (Ctrl+C, a crash) is made again next time.
    (root / FINGERPRINT_FILE).unlink(missing_ok=True)
    # collectstatic skips a source whose copy is not older than it, so a file changed
    # within the same second as its copy, or replaced by an older one, would keep its old
    # copy. The plain copies go, so each is copied afresh; the hashed ones stay, named by
    # their contents, for pages a process not yet restarted still serves.
    for name, _source in sources:
        (root / name).unlink(missing_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    temporary = root / f".{FINGERPRINT_FILE}.{os.getpid()}"
    temporary.write_text(wanted + "\n", encoding="ascii")
    temporary.replace(root / FINGERPRINT_FILE)
