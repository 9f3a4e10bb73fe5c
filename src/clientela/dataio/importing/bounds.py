"""The bounds every imported file is held to: data rows, characters in one cell, no NUL
character, and for XLSX the text it unpacks to. Rows are checked as they stream by; an XLSX
is first scanned in its zipped XML, so a small file that unpacks to millions of rows or to
a cell of hundreds of megabytes is stopped at the bound, its text never held in memory."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NUL = "\x00"
CHUNK = 64 * 1024
# workbook.xml and its relationships are a few kilobytes even for many sheets.
SMALL_PART = 16 * 1024 * 1024


def _column_name(headers: list[str], index: int) -> str:
    header = headers[index].strip() if index < len(headers) else ""
    return header or _("column %(number)d") % {"number": index + 1}


def too_many_rows() -> ValidationError:
    return ValidationError(
        _(
            "The file has more than %(rows)s data rows, the most one import takes. "
            "Split it into smaller files."
        )
        % {"rows": f"{settings.IMPORT_MAX_ROWS:,}"}
    )


def _too_long(where: str) -> ValidationError:
    return ValidationError(
        _(
            "%(where)s holds more than %(chars)s characters, the most a cell may hold. "
            "Shorten it and upload the file again."
        )
        % {"where": where, "chars": f"{settings.IMPORT_MAX_CELL_CHARS:,}"}
    )


def checked(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The header row and data rows of a file, refusing (with the row and column) a NUL
    character, a cell over the length bound and rows past the row bound."""
    max_rows, max_cell = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELL_CHARS
    headers: list[str] = []
    for number, row in enumerate(rows, start=1):
        if number == 1:
            headers = row
        elif number - 1 > max_rows:
            raise too_many_rows()
        if NUL in "".join(row) or max(map(len, row), default=0) > max_cell:
            for index, cell in enumerate(row):
                where = _("Row %(row)d, column “%(column)s”,") % {
                    "row": number,
                    "column": _column_name(headers, index),
                }
                if NUL in cell:
                    raise ValidationError(
                        _(
                            "%(where)s holds a NUL character (a zero byte), which no field "
                            "can store. Remove it and upload the file again."
                        )
                        % {"where": where}
                    )
                if len(cell) > max_cell:
                    raise _too_long(where)
        yield row


# XLSX -----------------------------------------------------------------------------------
class _Stop(Exception):
    def __init__(self, error: ValidationError) -> None:
        self.error = error


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = False  # character data in pieces: a long cell is never one string

    def no_doctype(*_args: object) -> None:
        # Spreadsheets have no DTD; one can only be there to expand entities.
        raise _Stop(ValidationError(_("This XLSX file is damaged and could not be opened.")))

    parser.StartDoctypeDeclHandler = no_doctype
    return parser


def _stream(archive: zipfile.ZipFile, name: str, parser: expat.XMLParserType) -> None:
    try:
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop as stop:
        raise stop.error from None
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, ValueError):
        raise ValidationError(_("This XLSX file is damaged and could not be opened.")) from None


def _attributes_of(archive: zipfile.ZipFile, name: str, element: str) -> list[dict[str, str]]:
    """The attributes of every `element` in a small part of the package."""
    found: list[dict[str, str]] = []
    if name not in archive.namelist() or archive.getinfo(name).file_size > SMALL_PART:
        return found
    parser = _parser()

    def start(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == element:
            found.append({_local(key): value for key, value in attributes.items()})

    parser.StartElementHandler = start
    _stream(archive, name, parser)
    return found


def _parts(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """The first worksheet's and the shared strings' paths inside the package."""
    relations = {
        item.get("Id", ""): item
        for item in _attributes_of(archive, "xl/_rels/workbook.xml.rels", "Relationship")
    }

    def path(target: str) -> str:
        return (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("xl", target))
        )

    sheets = _attributes_of(archive, "xl/workbook.xml", "sheet")
    first = relations.get(sheets[0].get("id", "")) if sheets else None
    shared = next(
        (item for item in relations.values() if item.get("Type", "").endswith("/sharedStrings")),
        None,
    )
    return (
        path(first["Target"]) if first and first.get("Target") else None,
        path(shared["Target"]) if shared and shared.get("Target") else None,
    )


def _scan_shared_strings(archive: zipfile.ZipFile, name: str) -> set[int]:
    """The indexes of shared strings over the cell bound; refuses past the text bound."""
    max_cell, max_text = settings.IMPORT_MAX_CELL_CHARS, settings.IMPORT_MAX_TEXT_BYTES
    parser = _parser()
    state = {"index": -1, "item": 0, "total": 0, "inside": 0}
    oversized: set[int] = set()

    def start(tag: str, _attributes: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "si":
            state["index"] += 1
            state["item"] = 0
        elif tag == "t":
            state["inside"] += 1

    def end(tag: str) -> None:
        if _local(tag) == "t":
            state["inside"] -= 1

    def characters(data: str) -> None:
        if not state["inside"]:
            return
        state["item"] += len(data)
        state["total"] += len(data)
        if state["item"] > max_cell and len(oversized) < 100:
            oversized.add(state["index"])
        if state["total"] > max_text:
            raise _Stop(_too_much_text())

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    _stream(archive, name, parser)
    return oversized


def _too_much_text() -> ValidationError:
    return ValidationError(
        _(
            "The spreadsheet unpacks to more than %(mb)d MB of text, the most an import "
            "takes. Split it into smaller files."
        )
        % {"mb": settings.IMPORT_MAX_TEXT_BYTES // (1024 * 1024)}
    )


class _SheetScan:
    """Rows counted and each cell's text measured as the sheet's XML streams by."""

    def __init__(self, oversized: set[int]) -> None:
        self.oversized = oversized
        self.rows = 0
        self.inside = 0
        self.length = 0
        self.cell = ""
        self.type = ""
        self.value: list[str] = []

    def where(self) -> str:
        return _("Cell %(cell)s") % {"cell": self.cell or "?"}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "row":
            self.rows += 1
            if self.rows - 1 > settings.IMPORT_MAX_ROWS:  # the first row is the header
                raise _Stop(too_many_rows())
        elif tag == "c":
            self.cell, self.type = attributes.get("r", ""), attributes.get("t", "")
            self.length = 0
            self.value.clear()
        elif tag in {"v", "t"}:
            self.inside += 1

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if tag in {"v", "t"}:
            self.inside -= 1
        elif tag == "c" and self.type == "s" and self.oversized:
            text = "".join(self.value).strip()
            if text.isdigit() and int(text) in self.oversized:
                raise _Stop(_too_long(self.where()))

    def characters(self, data: str) -> None:
        if not self.inside:
            return
        self.length += len(data)
        if self.length > settings.IMPORT_MAX_CELL_CHARS:
            raise _Stop(_too_long(self.where()))
        if self.type == "s" and len(self.value) < 64:
            self.value.append(data)


def _scan_sheet(archive: zipfile.ZipFile, name: str, oversized: set[int]) -> None:
    scan = _SheetScan(oversized)
    parser = _parser()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.characters
    _stream(archive, name, parser)


def check_xlsx(path: Path) -> None:
    """Scan a workbook's first sheet and its shared strings within the bounds, before
    openpyxl (which holds every shared string in memory) opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheet, shared = _parts(archive)
            if sheet is None or sheet not in archive.namelist():
                return  # not laid out as expected: openpyxl's own reading says what is wrong
            oversized = (
                _scan_shared_strings(archive, shared)
                if shared and shared in archive.namelist()
                else set()
            )
            _scan_sheet(archive, sheet, oversized)
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(_("This XLSX file is damaged and could not be opened.")) from None
