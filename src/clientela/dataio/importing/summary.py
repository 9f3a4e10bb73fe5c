"""What an import of contacts or companies will do with its file's rows, counted for the
preview by kind of match: the same ID in the old system, e-mail or phone as a record
already there (or an earlier row), a namesake at the same company with another e-mail or
phone (created and flagged for the merge queue), new, or rejected. The rows are read in
batches through the same conversion and duplicate index as the run itself, writing
nothing; a long file is counted over its first SUMMARY_ROWS rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.dataio.importing import reading
from clientela.dataio.importing.matching import PENDING, DuplicateIndex
from clientela.dataio.importing.rows import Lookups, RowRejected, convert
from clientela.dataio.models import DuplicateMode, ImportRun

SUMMARY_ROWS = 5_000  # the rows the preview counts; a longer file is counted that far
KINDS = ("key", "email", "phone", "name", "company", "namesake", "new", "rejected")
MATCHES = {"key", "email", "phone", "name", "company"}
CARRIED = ("by_key", "by_email", "by_phone", "by_name", "namesakes")


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    count: int
    outcome: str


@dataclass(frozen=True)
class Summary:
    lines: list[Line]
    rows: int  # the rows counted
    partial: bool  # the file has more rows than were counted


def summarise(run: ImportRun, lookups: Lookups, limit: int = SUMMARY_ROWS) -> Summary | None:
    """The counts by kind of match for a contacts or companies run (None for the other
    types, matched only by their ID in the old system)."""
    if run.record_type not in {"contact", "company"}:
        return None
    counts: Counter[str] = Counter()
    carried: dict[str, dict] = {name: {} for name in CARRIED}
    info = reading.FileInfo(run.format, run.encoding, run.delimiter)
    batch: list[list[str]] = []
    rows, partial = 0, False
    for _number, cells in reading.data_rows(Path(run.path), info):
        if rows >= limit:
            partial = True
            break
        batch.append(cells)
        rows += 1
        if len(batch) >= settings.IMPORT_BATCH_ROWS:
            _count(run, batch, lookups, counts, carried)
            batch = []
    if batch:
        _count(run, batch, lookups, counts, carried)
    lines = [
        Line(kind, _label(run, kind), counts[kind], _outcome(run, kind))
        for kind in KINDS
        if counts[kind]
    ]
    return Summary(lines=lines, rows=rows, partial=partial)


def _count(run: ImportRun, batch, lookups: Lookups, counts: Counter, carried: dict) -> None:
    converted = []
    for cells in batch:
        try:
            converted.append(convert(run, run.headers, cells, lookups))
        except RowRejected:
            counts["rejected"] += 1
    index = DuplicateIndex(run.created_by, run.record_type, converted)
    for name in CARRIED:  # the earlier batches' rows, as the run will have written them
        found = getattr(index, name)
        for value, pk in carried[name].items():
            found.setdefault(value, pk)
    check = run.duplicate_mode != DuplicateMode.CREATE
    for row in converted:
        match = index.find(row) if check else None
        if match is not None:
            counts[match.how] += 1
            continue
        counts["namesake" if index.namesake(row) else "new"] += 1
        index.add(row, PENDING)
    for name in CARRIED:
        carried[name] = getattr(index, name)


def _label(run: ImportRun, kind: str) -> str:
    return {
        "key": _("Same ID in the old system as a record or an earlier row"),
        "email": _("Same e-mail as a record or an earlier row"),
        "phone": _("Same phone as a record or an earlier row"),
        "name": _("Same name at the same company, neither with an e-mail or phone"),
        "company": _("Same company name as a record or an earlier row"),
        "namesake": _("Same name at the same company, another e-mail or phone"),
        "new": _("New"),
        "rejected": _("Not readable"),
    }[kind]


def _outcome(run: ImportRun, kind: str) -> str:
    if kind in MATCHES:
        if run.duplicate_mode == DuplicateMode.UPDATE:
            return _("updated: the record gets the file's values")
        return _("skipped: the record stays as it is")
    if kind == "namesake":
        return _("created, and flagged as a suspected duplicate in the merge queue")
    if kind == "new":
        return _("created")
    return _("rejected: the report gives each row's reason")
