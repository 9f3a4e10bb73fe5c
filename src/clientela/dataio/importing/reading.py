"""Reading an uploaded file as rows of text, whatever it is: CSV in any encoding and
delimiter, XLSX, vCard or JSON. Everything streams: a file is never read whole."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clientela.core.text import normalise
from clientela.dataio.importing import bounds, vcard

FORMATS = ("csv", "xlsx", "vcard", "json")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1250", "cp1252", "iso-8859-2")
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024

# Letters each single-byte encoding is expected to produce for the languages Clientela is
# used in; a decoding that yields other non-ASCII characters is probably the wrong one.
WESTERN = set("áéíóúñüÁÉÍÓÚÑÜ¿¡àèìòùçÀÈÌÒÙÇäöëïÄÖËÏßâêôûÂÊÔÛœŒ€ãõÃÕ«»°")
EASTERN = set("ăâîşţșțĂÂÎŞŢȘȚáéíóúÁÉÍÓÚčďěňřšťžůýČĎĚŇŘŠŤŽŮÝőűŐŰäöüÄÖÜ„”«»°€")
HOME_LETTERS = {"cp1252": WESTERN, "cp1250": EASTERN, "iso-8859-2": EASTERN}
# Signatures of files that are certainly not a table of text.
BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",  # old Office (.xls, .doc)
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
)


@dataclass
class FileInfo:
    """What was found out about a file; the user may override encoding and delimiter."""

    format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)


def _looks_utf16(sample: bytes) -> bool:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    half = sample[: len(sample) - len(sample) % 2]
    if len(half) < 4:
        return False
    zeros_even = half[0::2].count(0)
    zeros_odd = half[1::2].count(0)
    return max(zeros_even, zeros_odd) > len(half) // 4


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text sample: a BOM or UTF-16 zeros first, then strict UTF-8, then
    the single-byte encoding whose decoding yields the most plausible letters."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _looks_utf16(sample):
        return (
            "utf-16"
            if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            else ("utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be")
        )
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still UTF-8.
        if error.start >= len(sample) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    best, best_score = "cp1252", None
    for encoding in ("cp1250", "iso-8859-2", "cp1252"):
        text = sample.decode(encoding, errors="replace")
        unusual = [ch for ch in text if ord(ch) > 127]
        home = HOME_LETTERS[encoding]
        score = sum(1 if ch in home else -3 for ch in unusual)
        if best_score is None or score > best_score:
            best, best_score = encoding, score
    return best


def _binary(sample: bytes) -> bool:
    return sample.startswith(BINARY_MAGIC) or (b"\x00" in sample and not _looks_utf16(sample))


def detect_format(path: Path, name: str) -> str:
    """csv, xlsx, vcard or json, from the content first and the file name second."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise ValidationError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        if (
            name.lower().endswith((".xlsx", ".xlsm"))
            or b"xl/" in head
            or b"[Content_Types]" in head
        ):
            return "xlsx"
        raise ValidationError(
            _("This is a ZIP archive, not a spreadsheet. Upload CSV, XLSX, vCard or JSON.")
        )
    if _binary(head):
        raise ValidationError(
            _("This looks like a binary file (a picture, PDF or program), not a table of data.")
        )
    text = head.decode(detect_encoding(head), errors="replace").lstrip("\ufeff \r\n\t")
    if text[:11].upper() == "BEGIN:VCARD":
        return "vcard"
    if text[:1] in "[{":
        return "json"
    if name.lower().endswith((".vcf", ".vcard")):
        raise ValidationError(_("This file has a vCard name but holds no BEGIN:VCARD."))
    return "csv"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_key = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # a cell past the bound: reading the file says where
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        key = (consistent, counts[0])
        if key > best_key:
            best, best_key = delimiter, key
    return best


def inspect(path: Path, name: str, *, encoding: str = "", delimiter: str = "") -> FileInfo:
    """Find the file's format (and for CSV its encoding and delimiter) and its headers."""
    kind = detect_format(path, name)
    if kind == "xlsx":
        # Before openpyxl opens it (holding all its shared text in memory): its zipped XML
        # is scanned within the bounds.
        bounds.check_xlsx(path)
    info = FileInfo(format=kind)
    if kind in {"csv", "json", "vcard"}:
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        info.encoding = encoding or detect_encoding(sample)
        try:
            codecs.lookup(info.encoding)
        except LookupError:
            raise ValidationError(
                _("Unknown encoding “%(name)s”.") % {"name": info.encoding}
            ) from None
    if kind == "csv":
        text = _decode_sample(path, info.encoding)
        info.delimiter = delimiter or detect_delimiter(text)
    # Header names as stored text too (the report and the mapping name columns by them).
    info.headers = [normalise(header) for header in next(iter(header_and_rows(path, info)), [])]
    if not any(cell.strip() for cell in info.headers):
        raise ValidationError(_("The file has no header row: its first line is empty."))
    return info


def _decode_sample(path: Path, encoding: str) -> str:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return sample.decode(encoding, errors="ignore").lstrip("\ufeff")


class BrokenRow(list):
    """The cells of a row whose quote is never closed, read from its first line alone;
    the import rejects it with `broken_quote_line`, the number of that line in the file."""

    broken_quote_line: int = 0


class _Lines:
    """A CSV file's lines for the csv reader, numbered, each record's lines kept (`taken`)
    so the lines a quote left open swallowed can be given back and read again."""

    def __init__(self, handle, max_line: int) -> None:
        self.handle, self.max_line = handle, max_line
        self.number = 0  # of the last line read from the file
        self.back: list[tuple[int, str]] = []  # lines given back, next first
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.back:
            item = self.back.pop()
        else:
            line = self.handle.readline(self.max_line)
            if not line:
                raise StopIteration
            self.number += 1
            if len(line) >= self.max_line and not line.endswith(("\n", "\r")):
                raise ValidationError(
                    _("Line %(line)d of the file is longer than %(chars)s characters.")
                    % {"line": self.number, "chars": f"{self.max_line:,}"}
                )
            item = (self.number, line)
        self.taken.append(item)
        return item[1]

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self.back.extend(reversed(lines))


def _quote_trouble(text: str, delimiter: str) -> tuple[bool, bool]:
    """(a quote is left open at the end, a quote ends a cell's quoted text in the middle
    of the cell) for a record's text: how a quote that was never closed shows, having
    swallowed the lines after it up to the next cell that opens one."""
    quoted = False
    at_start = True  # at the start of a cell
    closed = False  # just after a quote that ended quoted text ("" is a quote in it)
    for char in text:
        if quoted:
            if char == '"':
                quoted, closed = False, True
            continue
        if char == '"' and (at_start or closed):
            quoted, closed, at_start = True, False, False
            continue
        if closed and char not in (delimiter, "\r", "\n"):
            return False, True
        closed = False
        at_start = char in (delimiter, "\r", "\n")
    return quoted, False


def _csv_rows(path: Path, info: FileInfo) -> Iterator[list[str]]:
    """The rows of a CSV file. A quote left open would swallow the lines after it into
    one cell: a record that spans lines from such a quote and then has another number of
    cells than the header (or grows past the cell bound) is given as a BrokenRow, and
    the lines after its first are read again on their own."""
    max_cell = settings.IMPORT_MAX_CELL_CHARS
    # The csv module stops a cell at this length instead of growing it; a line is read
    # at most this long, so one without line breaks is not read whole either.
    csv.field_size_limit(max_cell + 1)
    delimiter = info.delimiter or ","
    with path.open("r", encoding=info.encoding, errors="replace", newline="") as handle:
        lines = _Lines(handle, 4 * max_cell + 1024)
        reader = csv.reader(lines, delimiter=delimiter)
        width = None
        while True:
            lines.taken = []
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                if not _broken(lines.taken, delimiter):
                    raise ValidationError(
                        _(
                            "Line %(line)d of the file holds a cell of more than %(chars)s "
                            "characters, the most a cell may hold."
                        )
                        % {"line": lines.number, "chars": f"{max_cell:,}"}
                    ) from None
                row = []  # the quote's cell outgrew the bound: read its lines again
            if width is None:
                if row:
                    row[0] = row[0].lstrip("\ufeff")
                width = len(row)
            elif _broken(lines.taken, delimiter, fits=len(row) == width):
                first_number, first_line = lines.taken[0]
                lines.give_back(lines.taken[1:])
                broken = BrokenRow(next(csv.reader([first_line], delimiter=delimiter), []))
                broken.broken_quote_line = first_number
                yield broken
                continue
            yield row


def _broken(taken: list[tuple[int, str]], delimiter: str, fits: bool = False) -> bool:
    """Whether a record of several lines is a quote its first line left open that
    swallowed the others: it ends with the quote still open or closes it in the middle
    of a cell, or (`fits` False) it has another number of cells than the header."""
    if len(taken) < 2 or not _quote_trouble(taken[0][1], delimiter)[0]:
        return False
    left_open, misplaced = _quote_trouble("".join(line for _number, line in taken), delimiter)
    return left_open or misplaced or not fits


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("This XLSX file is damaged and could not be opened.")) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _json_rows(path: Path, info: FileInfo) -> Iterator[list[str]]:
    """A list of flat objects (or {"contacts": [...]}): the union of the first 100
    objects' keys makes the header; nested values are written as JSON text."""
    with path.open("r", encoding=info.encoding, errors="replace") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("This is not valid JSON (line %(line)d): %(problem)s")
                % {"line": error.lineno, "problem": error.msg}
            ) from None
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValidationError(_("The JSON file must hold a list of objects, one per record."))
    keys: list[str] = []
    for item in data[:100]:
        keys.extend(key for key in item if key not in keys)
    yield keys
    for item in data:
        yield [
            value
            if isinstance(value, str)
            else ", ".join(map(str, value))
            if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)
            else ""
            if value is None
            else json.dumps(value, ensure_ascii=False)
            if isinstance(value, dict | list)
            else _cell_text(value)
            for value in (item.get(key) for key in keys)
        ]


def _vcard_rows(path: Path, info: FileInfo) -> Iterator[list[str]]:
    with path.open("r", encoding=info.encoding, errors="replace", newline="") as handle:
        yield list(vcard.COLUMNS)
        for card in vcard.cards(handle):
            yield [card.get(column, "") for column in vcard.COLUMNS]


def header_and_rows(path: Path, info: FileInfo) -> Iterator[list[str]]:
    """The header row first, then every data row, as lists of text, within the bounds
    (bounds.checked: rows, cell length, no NUL)."""
    if info.format == "csv":
        return bounds.checked(_csv_rows(path, info))
    if info.format == "xlsx":
        return bounds.checked(_xlsx_rows(path))
    if info.format == "json":
        return bounds.checked(_json_rows(path, info))
    return bounds.checked(_vcard_rows(path, info))


def check(path: Path, info: FileInfo) -> int:
    """Read the whole file within the bounds (`inspect` scanned an XLSX already); returns
    its number of data rows, or refuses it with the reason."""
    return count_rows(path, info)


def data_rows(path: Path, info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for every non-blank data row; the
    header is row 1."""
    rows = header_and_rows(path, info)
    next(rows, None)
    for number, row in enumerate(rows, start=2):
        if any(cell.strip() for cell in row):
            yield number, row


def count_rows(path: Path, info: FileInfo) -> int:
    return sum(1 for _row in data_rows(path, info))
