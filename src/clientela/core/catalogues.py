"""The translation catalogues: made from the marked strings by `clientela translations make`,
compiled by `clientela translations compile` (and `clientela run`) when their .po files change.

Compiling is Babel's, in Python, rather than `compilemessages`, which needs GNU gettext's
msgfmt: a desktop install (Windows, macOS) has Python and PyPI, not gettext. Making the
catalogues (`makemessages`, xgettext) is a developer's step and does need gettext.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from importlib import metadata
from pathlib import Path

from django.conf import settings

# src/clientela/locale: the one catalogue of every app (settings.LOCALE_PATHS).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PACKAGE_DIR = LOCALE_DIR.parent
DOMAINS = ("django", "djangojs")
# Beside the catalogues: what the .mo files were compiled from.
FINGERPRINT_FILE = LOCALE_DIR / "catalogues.fingerprint"


def languages() -> list[str]:
    """The languages that have a catalogue: every offered one but the source, English."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def fingerprint(files: list[Path] | None = None) -> str:
    """A digest of every .po file's name and contents, Babel's version and this module."""
    digest = hashlib.sha256()
    digest.update(metadata.version("babel").encode())
    digest.update(hashlib.sha256(Path(__file__).read_bytes()).digest())
    for path in po_files() if files is None else files:
        digest.update(str(path.relative_to(LOCALE_DIR)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_current() -> bool:
    """Whether every catalogue has its .mo, compiled from the .po files as they are."""
    try:
        stored = FINGERPRINT_FILE.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return False
    files = po_files()
    if not all(path.with_suffix(".mo").is_file() for path in files):
        return False
    return stored == fingerprint(files)


def compile_catalogues() -> list[Path]:
    """Compile every .po file into its .mo, fuzzy entries left out; returns the .mo files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    files = po_files()
    wanted = fingerprint(files)
    FINGERPRINT_FILE.unlink(missing_ok=True)
    written = []
    for path in files:
        with path.open("rb") as source:
            catalog = read_po(source, locale=path.parts[-3], domain=path.stem)
        target = path.with_suffix(".mo")
        # Written aside and then moved: a process reading catalogues meanwhile (another
        # test worker, a running server) sees the old file or the new one, never half.
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        with temporary.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        temporary.replace(target)
        written.append(target)
    temporary_print = FINGERPRINT_FILE.with_name(f".{FINGERPRINT_FILE.name}.{os.getpid()}")
    temporary_print.write_text(wanted + "\n", encoding="ascii")
    temporary_print.replace(FINGERPRINT_FILE)
    return written


def ensure_compiled() -> bool:
    """Compile when a .po file changed since the last time; whether it did."""
    if is_current():
        return False
    compile_catalogues()
    return True


def make_catalogues(*, locale_dir: Path | None = None, verbosity: int = 0) -> None:
    """Gather every marked string of the templates, Python and JavaScript into the .po files
    of each language (`makemessages`), without source locations, so that a moved line does
    not change the catalogues. Existing translations are kept, new strings come empty."""
    from django.core.management import call_command

    # makemessages walks the current folder and writes to the locale folder inside it.
    previous = Path.cwd()
    root = PACKAGE_DIR if locale_dir is None else locale_dir.parent
    before = {path: path.read_text(encoding="utf-8") for path in root.glob("locale/*/*/*.po")}
    os.chdir(root)
    try:
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=languages(),
                domain=domain,
                no_location=True,
                no_obsolete=True,
                ignore_patterns=["migrations/*"],
                verbosity=verbosity,
            )
    finally:
        os.chdir(previous)
    # msgmerge dates every file it writes: one whose strings did not change stays as it was.
    for path, text in before.items():
        if path.is_file() and _undated(path.read_text(encoding="utf-8")) == _undated(text):
            path.write_text(text, encoding="utf-8")


def _undated(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: [^"]*"$', "", text, flags=re.MULTILINE)


@functools.cache
def version() -> str:
    """A short name of the compiled catalogues, for URLs a browser may keep (read once per
    process: a new catalogue comes with a restart)."""
    try:
        return FINGERPRINT_FILE.read_text(encoding="ascii").strip()[:12]
    except FileNotFoundError:
        return "0"
