"""Helpers for the import tests: files written the way other programs write them, and a run
taken from upload to finish through the services."""

from __future__ import annotations

import io
from pathlib import Path

from clientela.dataio.importing import services


def csv_bytes(rows: list[list[str]], *, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def import_file(
    actor,
    data: bytes,
    name: str = "contacts.csv",
    *,
    record_type: str = "contact",
    mode: str = "skip",
    dry_run: bool = False,
    columns: list[str] | None = None,
    encoding: str = "",
):
    """Upload, keep the automatic mapping (or `columns`), run to the end in this process."""
    run = services.create_run(
        actor=actor,
        source=io.BytesIO(data),
        file_name=name,
        record_type=record_type,
        encoding=encoding,
    )
    services.configure(
        actor=actor,
        run=run,
        columns=columns if columns is not None else run.mapping,
        duplicate_mode=mode,
        dry_run=dry_run,
    )
    run.status = run.Status.QUEUED
    run.save(update_fields=["status"])
    return services.execute(run.pk)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
