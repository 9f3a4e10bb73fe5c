"""Every write of an import: take the file, set the mapping, run it in atomic batches
through the customers services (same checks, audit trail and search entries as typing the
records in), resume a stopped run, and undo a whole run."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, custom_fields, permissions
from clientela.core.models import AuditSource
from clientela.customers import contact_points
from clientela.dataio.importing import batches, mapping, reading
from clientela.dataio.importing.batches import RECORD_TYPES
from clientela.dataio.importing.other_batches import group_of, undo_record
from clientela.dataio.importing.rows import (
    OTHER_TYPES,
    Lookups,
    RowRejected,
    convert,
)
from clientela.dataio.models import (
    DuplicateMode,
    ImportRun,
    MappingTemplate,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from clientela.dataio.importing.rows import Converted
    from clientela.users.models import User

logger = logging.getLogger(__name__)
Status = ImportRun.Status
ALL_TYPES = (*RECORD_TYPES, *OTHER_TYPES)


def _require(actor: User) -> None:
    permissions.require(actor, "import")


# Setting a run up ---------------------------------------------------------------------
def _store(source: UploadedFile | BinaryIO, name: str) -> tuple[Path, int]:
    """Copy an upload (or a file on disk) into the imports folder, refusing it as soon as
    it passes the size limit."""
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    size = 0
    limit = settings.IMPORT_MAX_BYTES
    chunks: Iterable[bytes] = (
        source.chunks()
        if hasattr(source, "chunks")
        else iter(partial(source.read, 1024 * 1024), b"")
    )
    with target.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise ValidationError(
                    _("The file is larger than %(mb)d MB, the most an import takes.")
                    % {"mb": limit // (1024 * 1024)}
                )
            out.write(chunk)
    if size == 0:
        target.unlink(missing_ok=True)
        raise ValidationError(_("The file is empty."))
    return target, size


def _validate_request(actor: User, record_type: str, delimiter: str) -> None:
    _require(actor)
    if record_type not in ALL_TYPES:
        what = _("contacts, companies, deals, products, orders, activities or tasks")
        raise ValidationError(_("Choose what the file holds: %(what)s.") % {"what": what})
    if delimiter and len(delimiter) != 1:
        raise ValidationError(_("The delimiter is one character, such as , or ;."))


def _examine(
    actor: User | None,
    run: ImportRun,
    *,
    encoding: str,
    delimiter: str,
    template: MappingTemplate | None,
) -> None:
    """Read the stored file whole within the bounds (reading.check) and fill in the run's
    format, encoding, headers, row count and automatic (or saved) mapping."""
    path = Path(run.path)
    try:
        info = reading.inspect(path, run.file_name, encoding=encoding, delimiter=delimiter)
        total = reading.check(path, info)
    except UnicodeError:
        raise ValidationError(
            _("The file can't be read as %(encoding)s: choose another encoding.")
            % {"encoding": encoding}
        ) from None
    allowed = {target.key for target in mapping.targets(run.record_type, actor)}
    run.format, run.encoding, run.delimiter = info.format, info.encoding, info.delimiter
    run.headers, run.total_rows = info.headers, total
    run.mapping = (
        mapping.from_template(info.headers, template.mapping, allowed)
        if template is not None
        else mapping.guess(info.headers, run.record_type, actor)
    )


def _new_run(
    actor: User, path: Path, size: int, file_name: str, record_type: str, **fields: Any
) -> ImportRun:
    return ImportRun(
        created_by=actor if getattr(actor, "pk", None) else None,
        record_type=record_type,
        file_name=Path(file_name).name[:255],
        path=str(path),
        size=size,
        **fields,
    )


def create_run(
    *,
    actor: User,
    source: UploadedFile | BinaryIO,
    file_name: str,
    record_type: str,
    encoding: str = "",
    delimiter: str = "",
    template: MappingTemplate | None = None,
) -> ImportRun:
    """A draft run for a file, checked here and now (the command line, which may take its
    time): its format found, every row read within the bounds, its columns mapped
    automatically (or by `template`). A page uses `receive`, which checks in a job."""
    _validate_request(actor, record_type, delimiter)
    path, size = _store(source, file_name)
    return _examined_run(actor, path, size, file_name, record_type, encoding, delimiter, template)


def _examined_run(
    actor: User,
    path: Path,
    size: int,
    file_name: str,
    record_type: str,
    encoding: str,
    delimiter: str,
    template: MappingTemplate | None,
) -> ImportRun:
    run = _new_run(actor, path, size, file_name, record_type)
    try:
        _examine(actor, run, encoding=encoding, delimiter=delimiter, template=template)
    except ValidationError:
        path.unlink(missing_ok=True)
        raise
    run.save()
    return run


def receive(
    *,
    actor: User,
    source: UploadedFile | BinaryIO,
    file_name: str,
    record_type: str,
    template: MappingTemplate | None = None,
) -> ImportRun:
    """Take an upload: store it, refuse at once what its first bytes show is no table
    (empty, a picture, an archive), and leave reading it whole to a job (`check_upload`),
    so the page answers at once however many rows the file unpacks to."""
    from clientela.dataio import tasks
    from clientela.jobs import enqueue

    _validate_request(actor, record_type, "")
    path, size = _store(source, file_name)
    try:
        kind = reading.detect_format(path, file_name)
    except ValidationError:
        path.unlink(missing_ok=True)
        raise
    run = _new_run(actor, path, size, file_name, record_type, format=kind, status=Status.CHECKING)
    run.template = template
    with transaction.atomic():
        run.save()
        enqueue(tasks.check_upload, run.pk)
    return run


def check_upload(run_id: int) -> ImportRun:
    """The job after `receive`: the file read whole within the bounds; the run becomes a
    draft with its columns mapped, or is refused with the reason, its file removed."""
    run = ImportRun.objects.select_related("created_by", "template").get(pk=run_id)
    if run.status != Status.CHECKING:
        return run  # checked already (a job run twice)
    try:
        _examine(run.created_by, run, encoding="", delimiter="", template=run.template)
    except (ValidationError, OSError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        Path(run.path).unlink(missing_ok=True)
        ImportRun.objects.filter(pk=run.pk, status=Status.CHECKING).update(
            status=Status.REFUSED, error=message[:2000]
        )
        logger.info("Import %s refused: %s", run.pk, message)
    else:
        run.status = Status.DRAFT
        ImportRun.objects.filter(pk=run.pk, status=Status.CHECKING).update(
            status=Status.DRAFT,
            format=run.format,
            encoding=run.encoding,
            delimiter=run.delimiter,
            headers=run.headers,
            total_rows=run.total_rows,
            mapping=run.mapping,
        )
    run.refresh_from_db()
    return run


def _check_draft(actor: User, run: ImportRun) -> None:
    _require(actor)
    if run.status != Status.DRAFT:
        raise ValidationError(_("This import has already started; its settings are fixed."))


def configure(
    *,
    actor: User,
    run: ImportRun,
    columns: list[str],
    duplicate_mode: str,
    dry_run: bool,
    encoding: str = "",
    delimiter: str = "",
    default_owner: User | None = None,
) -> ImportRun:
    """Set the mapping and options; a new encoding or delimiter re-reads the headers.
    `default_owner` (an active user; None: the person importing) gets the records whose
    owner column names no one with an account."""
    _check_draft(actor, run)
    if default_owner is not None and not default_owner.is_active:
        raise ValidationError(_("Choose an active user to own the records."))
    if duplicate_mode not in DuplicateMode.values:
        raise ValidationError(_("Choose what to do with rows that match a record."))
    if delimiter and len(delimiter) != 1:
        raise ValidationError(_("The delimiter is one character, such as , or ;."))
    allowed = {target.key for target in mapping.targets(run.record_type, actor)}
    many = {target.key for target in mapping.targets(run.record_type, actor) if target.many}
    columns = [(key if key in allowed else "") for key in columns][: len(run.headers)]
    columns += [""] * (len(run.headers) - len(columns))
    repeated = {key for key in columns if key and key not in many and columns.count(key) > 1}
    if repeated:
        labels = {t.key: str(t.label) for t in mapping.targets(run.record_type, actor)}
        raise ValidationError(
            _("Only one column can go into %(fields)s.")
            % {"fields": ", ".join(sorted(labels[key] for key in repeated))}
        )
    if (encoding and encoding != run.encoding) or (delimiter and delimiter != run.delimiter):
        try:
            info = reading.inspect(
                Path(run.path),
                run.file_name,
                encoding=encoding or run.encoding,
                delimiter=delimiter or run.delimiter,
            )
        except UnicodeError:
            raise ValidationError(
                _("The file can't be read as %(encoding)s.") % {"encoding": encoding}
            ) from None
        if info.headers != run.headers:
            columns = mapping.guess(info.headers, run.record_type, actor)
        run.encoding, run.delimiter, run.headers = info.encoding, info.delimiter, info.headers
        run.total_rows = None  # counted again when it runs
    run.mapping = columns
    run.default_owner = default_owner
    run.duplicate_mode = duplicate_mode
    run.dry_run = dry_run
    run.save()
    return run


def save_template(*, actor: User, run: ImportRun, name: str) -> MappingTemplate:
    _require(actor)
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError(_("Give the mapping a name."))
    saved = {
        header: target
        for header, target in zip(run.headers, run.mapping, strict=False)
        if target and header
    }
    try:
        with transaction.atomic():
            template, _created = MappingTemplate.objects.update_or_create(
                record_type=run.record_type,
                name=name,
                defaults={"mapping": saved, "created_by": actor},
            )
    except IntegrityError:
        raise ValidationError(_("A mapping with this name exists.")) from None
    return template


@dataclass
class PreviewRow:
    row: int
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def lookups_for(run: ImportRun) -> Lookups:
    """What the run's rows consult, a record whose owner has no account going to the
    owner chosen for those (else the person importing)."""
    return Lookups(run.record_type, fallback_owner=run.default_owner or run.created_by)


def preview(run: ImportRun, limit: int = 10) -> list[PreviewRow]:
    """The first rows as they would be stored (with the warnings about values they would
    be stored without), or the reasons they would be rejected."""
    lookups = lookups_for(run)
    shown = []
    info = reading.FileInfo(run.format, run.encoding, run.delimiter)
    for number, cells in reading.data_rows(Path(run.path), info):
        item = PreviewRow(row=number)
        try:
            converted = convert(run, run.headers, cells, lookups)
        except RowRejected as rejected:
            item.problems = rejected.problems
        else:
            item.values = _display(converted)
            item.warnings = converted.warnings
        shown.append(item)
        if len(shown) >= limit:
            break
    return shown


def _display(converted: Converted) -> dict[str, str]:
    if converted.shown:  # a product, order, activity or task: its cells by target
        return dict(converted.shown)
    data = converted.data
    values: dict[str, str] = {}
    for key, value in data.items():
        if key == "emails":
            value = ", ".join(item["address"] for item in value)
        elif key == "phones":
            value = ", ".join(phone.e164 for phone, _kind in contact_points.clean_phones(value))
        elif key == "tags":
            value = ", ".join(value)
        elif key == "addresses":
            value = ", ".join(v for k, v in value[0].items() if k != "address_kind" and v)
        elif key == "custom":
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif key == "owner":
            value = value.display_name
        elif key in {"lifecycle_stage", "stage"}:
            value = value.name
        values[key] = str(value)
    if converted.company_name:
        values["company"] = converted.company_name
    if converted.notes:
        values["note"] = " / ".join(converted.notes)
    if converted.contact_emails:
        values["contacts"] = ", ".join(address for _column, address in converted.contact_emails)
    return values


# Running ------------------------------------------------------------------------------
def start(*, actor: User, run: ImportRun) -> ImportRun:
    """Queue the run for a worker; the page follows its progress."""
    from clientela.dataio import tasks

    _check_draft(actor, run)
    if not any(run.mapping):
        raise ValidationError(_("Map at least one column to a field."))
    with transaction.atomic():
        if not run.dry_run:
            _add_custom_fields(actor, run)
        run.status = Status.QUEUED
        run.save(update_fields=["status", "mapping"])
        from clientela.jobs import enqueue

        enqueue(tasks.run_import, run.pk)
    return run


def _add_custom_fields(actor: User, run: ImportRun) -> None:
    """Each column mapped to a new custom field gets one, named after its header and of
    the type its first rows' values fit; the column then goes into it."""
    wanted = [index for index, key in enumerate(run.mapping) if key == mapping.NEW_CUSTOM]
    if not wanted:
        return
    samples: list[list[str]] = [[] for _index in wanted]
    info = reading.FileInfo(run.format, run.encoding, run.delimiter)
    for count, (_number, cells) in enumerate(reading.data_rows(Path(run.path), info)):
        if count >= SAMPLE_ROWS:
            break
        for values, index in zip(samples, wanted, strict=True):
            values.append(cells[index] if index < len(cells) else "")
    for values, index in zip(samples, wanted, strict=True):
        field = custom_fields.add_definition(
            actor=actor,
            record_type=run.record_type,
            label=run.headers[index] or _("Column %(number)d") % {"number": index + 1},
            field_type=custom_fields.guess_type(values),
        )
        run.mapping[index] = f"{mapping.CUSTOM_PREFIX}{field.key}"


SAMPLE_ROWS = 200  # the rows a new custom field's type is guessed from


def stalled(run: ImportRun) -> bool:
    """Running with no batch committed for a while: its process stopped."""
    limit = timezone.now() - timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    return run.status == Status.RUNNING and (run.beat_at is None or run.beat_at < limit)


def resume(*, actor: User, run: ImportRun) -> ImportRun:
    """Queue a stopped or failed run again; it carries on after its last committed batch."""
    from clientela.dataio import tasks
    from clientela.jobs import enqueue

    _require(actor)
    if not (stalled(run) or run.status in {Status.FAILED, Status.STOPPED}):
        raise ValidationError(_("This import is not stopped, so there is nothing to resume."))
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(status=Status.QUEUED, error="")
        enqueue(tasks.run_import, run.pk)
    run.refresh_from_db()
    return run


def stop_abandoned() -> int:
    """Mark as stopped the runs still "running" with no batch committed for
    IMPORT_STALL_SECONDS: the process running them ended (killed, the machine stopped).
    The page then says so; what they stored stays, and may be resumed or undone. Run on
    every start of `clientela run` and by a periodic job."""
    limit = timezone.now() - timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    silent = ImportRun.objects.filter(status=Status.RUNNING).filter(
        Q(beat_at__isnull=True) | Q(beat_at__lt=limit)
    )
    stopped = 0
    for run in silent.only("pk", "beat_at", "last_row", "rows_done"):
        if run.rows_done:
            message = _(
                "The import stopped after row %(row)d: the program running it ended before "
                "it finished. The rows up to there are stored: resume to carry on from "
                "there, or undo what it stored."
            ) % {"row": run.last_row}
        else:
            message = _(
                "The import stopped before storing any row: the program running it ended. "
                "Resume to start it again."
            )
        # Conditional on the last beat: a run whose batch committed meanwhile is alive.
        stopped += ImportRun.objects.filter(
            pk=run.pk, status=Status.RUNNING, beat_at=run.beat_at
        ).update(status=Status.STOPPED, error=message)
    if stopped:
        logger.warning("%d import(s) whose process ended were marked stopped.", stopped)
    return stopped


def _claim(run_id: int, force: bool) -> bool:
    """Take the run for this process: one that is queued, or running but silent."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_STALL_SECONDS)
    startable = Q(status__in=[Status.QUEUED, Status.FAILED, Status.STOPPED])
    startable |= Q(status=Status.RUNNING) & (
        Q(beat_at__isnull=True) | Q(beat_at__lt=stale) | Q(pk__in=[run_id] if force else [])
    )
    return bool(
        ImportRun.objects.filter(startable, pk=run_id).update(
            status=Status.RUNNING, beat_at=now, stretch_started_at=now, error=""
        )
    )


def execute(
    run_id: int, *, force: bool = False, on_batch: Callable[[ImportRun], Any] | None = None
) -> ImportRun:
    """Run (or carry on with) an import. Each batch of rows commits as one transaction
    together with the run's counters, so a process killed at any moment leaves whole
    batches only, and the next call starts after the last of them."""
    if not _claim(run_id, force):
        return ImportRun.objects.get(pk=run_id)
    run = ImportRun.objects.select_related("created_by", "default_owner").get(pk=run_id)
    info = reading.FileInfo(run.format, run.encoding, run.delimiter)
    path = Path(run.path)
    try:
        if run.total_rows is None:
            run.total_rows = reading.count_rows(path, info)
        run.started_at = run.started_at or timezone.now()
        run.stretch_start_rows = run.rows_done
        run.save(update_fields=["total_rows", "started_at", "stretch_start_rows"])
        lookups = lookups_for(run)
        batch: list[tuple[int, list[str]]] = []
        group = group_of(run)
        with audit.acting(AuditSource.IMPORT):
            for number, cells in reading.data_rows(path, info):
                if number <= run.last_row:
                    continue
                # A full batch is written before the next row, unless that row is another
                # line of the same order: an order's lines are written together.
                if len(batch) >= settings.IMPORT_BATCH_ROWS and (
                    group is None or group(cells) != group(batch[-1][1])
                ):
                    batches.run_batch(run, batch, lookups)
                    batch = []
                    if on_batch is not None:
                        on_batch(run)
                batch.append((number, cells))
            if batch:
                batches.run_batch(run, batch, lookups)
                if on_batch is not None:
                    on_batch(run)
    except (ValidationError, PermissionDenied, OSError, UnicodeError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        ImportRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error=message[:2000])
        logger.warning("Import %s failed: %s", run.pk, message)
        run.refresh_from_db()
        return run
    ImportRun.objects.filter(pk=run.pk).update(status=Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


# Undo ---------------------------------------------------------------------------------
def undo(*, actor: User, run: ImportRun) -> int:
    """Reverse a whole run: records it created go to the trash, records it changed go back
    to how they stood before it. Audited as "undo import"; returns the records touched."""
    _require(actor)
    if run.dry_run or run.status not in {
        Status.DONE,
        Status.FAILED,
        Status.STOPPED,
        Status.UNDOING,
    }:
        raise ValidationError(_("Only a finished import can be undone."))
    touched = 0
    last_id = None
    with audit.acting(AuditSource.IMPORT):
        while True:
            entries = run.records.order_by("-id")
            if last_id is not None:
                entries = entries.filter(id__lt=last_id)
            chunk = list(entries[: settings.IMPORT_BATCH_ROWS])
            if not chunk:
                break
            with transaction.atomic():
                for entry in chunk:
                    touched += undo_record(actor, entry)
            last_id = chunk[-1].id
    ImportRun.objects.filter(pk=run.pk).update(status=Status.UNDONE, undone_at=timezone.now())
    run.refresh_from_db()
    return touched


def request_undo(*, actor: User, run: ImportRun) -> None:
    """Mark the run as being undone and leave the work to a worker: a large import takes
    longer to undo than a page may wait."""
    from clientela.dataio import tasks
    from clientela.jobs import enqueue

    _require(actor)
    with transaction.atomic():
        claimed = ImportRun.objects.filter(
            pk=run.pk, dry_run=False, status__in=[Status.DONE, Status.FAILED, Status.STOPPED]
        ).update(status=Status.UNDOING)
        if not claimed:
            raise ValidationError(_("Only a finished import can be undone."))
        enqueue(tasks.undo_import, run.pk, actor.pk)
    run.refresh_from_db()


def discard(*, actor: User, run: ImportRun) -> None:
    """Forget a draft that was never started, with its copy of the file."""
    _check_draft(actor, run)
    Path(run.path).unlink(missing_ok=True)
    run.delete()
