"""What an attached file is served as, decided by the server from the file's name and first
bytes, never from the type the uploader's browser claimed.

Only kinds a browser shows without running anything may be shown in the browser: images
(not SVG, which may hold script), PDF, audio and plain text, each when its extension and
its content agree. Everything else is a download of `application/octet-stream`. The file
views add `nosniff` and a sandboxing Content-Security-Policy on top (`FILE_POLICY`), so
even a file that slipped through is shown in a sandbox with no origin and no scripts."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

# Enough for every signature below and for a look at whether a text file is text.
SNIFF_BYTES = 1024
DOWNLOAD_TYPE = "application/octet-stream"
# On every file response: no scripts, no plugins, no forms, an origin of its own.
FILE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "img-src 'self' data:",
        "media-src 'self'",
        "style-src 'unsafe-inline'",
        "frame-ancestors 'none'",
        "sandbox",
    )
)


@dataclass(frozen=True)
class ServedAs:
    content_type: str
    inline: bool  # may be shown in the browser rather than saved

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")


DOWNLOAD = ServedAs(DOWNLOAD_TYPE, inline=False)


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _text(head: bytes) -> bool:
    return b"\x00" not in head


# Extension → (the type it is served as, how its content must begin).
KINDS: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "png": ("image/png", lambda head: head[:8] == b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", lambda head: head[:3] == b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", lambda head: head[:3] == b"\xff\xd8\xff"),
    "gif": ("image/gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _riff(b"WEBP")),
    "pdf": ("application/pdf", lambda head: head[:5] == b"%PDF-"),
    "mp3": ("audio/mpeg", _mp3),
    "wav": ("audio/wav", _riff(b"WAVE")),
    "ogg": ("audio/ogg", lambda head: head[:4] == b"OggS"),
    "oga": ("audio/ogg", lambda head: head[:4] == b"OggS"),
    "m4a": ("audio/mp4", lambda head: head[4:8] == b"ftyp"),
    "webm": ("audio/webm", lambda head: head[:4] == b"\x1a\x45\xdf\xa3"),
    "txt": ("text/plain", _text),
    "csv": ("text/csv", _text),
}


def decide(name: str, head: bytes) -> ServedAs:
    """How a file called `name` that begins with `head` is served."""
    extension = PurePath(name).suffix.lower().lstrip(".")
    kind = KINDS.get(extension)
    if kind is None or not head:
        return DOWNLOAD
    content_type, matches = kind
    if not matches(head):
        return DOWNLOAD
    if content_type.startswith("text/") and _is_utf8(head):
        # Other encodings (an old spreadsheet's Windows-1250) are left to the browser,
        # which may guess a character set but, with nosniff, never another type.
        content_type += "; charset=utf-8"
    return ServedAs(content_type, inline=True)


def _is_utf8(head: bytes) -> bool:
    try:  # a character cut at the end of the sample is allowed
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def seek(self, offset: int, /) -> object: ...
    def tell(self) -> int: ...


def sniff(file: Readable, name: str) -> ServedAs:
    """Read the start of an open file, put it back where it was, and decide."""
    position = file.tell()
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    return decide(name, head)
