"""`clientela import FILE --type contacts|companies|deals|products|orders|activities|tasks`:
bring a file in from the command line, with a progress line, a dry run, a saved mapping, and
resuming a stopped run; or a table of another system's database with `--from-database URL
--table T`, read over a read-only connection and imported the same way. `--type calls`
imports a phone system's call log (with `--recordings FOLDER`)."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clientela.dataio.importing import database, selectors, services
from clientela.dataio.models import DuplicateMode, ImportRun, MappingTemplate
from clientela.users import selectors as user_selectors

TYPES = {
    "contacts": "contact",
    "contact": "contact",
    "companies": "company",
    "company": "company",
    "deals": "deal",
    "deal": "deal",
    "products": "product",
    "product": "product",
    "orders": "order",
    "order": "order",
    "activities": "activity",
    "activity": "activity",
    "tasks": "task",
    "task": "task",
    "calls": "call",
}


class Command(BaseCommand):
    help = (
        "Import contacts, companies, deals, products, orders, activities or tasks from a CSV, "
        "XLSX, vCard or JSON file, or from a table of an SQLite, PostgreSQL or MySQL/MariaDB "
        "database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="The file to import.")
        parser.add_argument("--type", choices=sorted(TYPES), default="contacts")
        parser.add_argument(
            "--mapping",
            help="A saved mapping's name, or a JSON file of {header: field}; "
            "without it columns are mapped from their headers.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, store nothing.")
        parser.add_argument(
            "--duplicates",
            choices=DuplicateMode.values,
            default=DuplicateMode.SKIP,
            help="What to do with a row that matches a record (default: skip).",
        )
        parser.add_argument("--encoding", default="", help="Override the detected encoding.")
        parser.add_argument("--delimiter", default="", help="Override the detected delimiter.")
        parser.add_argument(
            "--user",
            default="",
            help="E-mail of the user the import acts as (default: the first administrator).",
        )
        parser.add_argument("--resume", type=int, help="Carry on with a stopped run by its id.")
        parser.add_argument(
            "--from-database",
            metavar="URL",
            help="Read a table of this database instead of a file (sqlite:///file.db, "
            "postgresql://user:password@host/name, mysql://user:password@host/name); "
            "the connection is read-only and the password is never shown.",
        )
        parser.add_argument("--table", help="The table to read, with --from-database.")
        parser.add_argument(
            "--recordings",
            type=Path,
            help="With --type calls: the folder of the recordings the call log names.",
        )

    def handle(self, *args, **options):
        if TYPES[options["type"]] == "call":
            self._calls(options)
            return
        if options["resume"]:
            run = ImportRun.objects.filter(pk=options["resume"]).first()
            if run is None:
                raise CommandError(f"There is no import {options['resume']}.")
            if run.status in {
                ImportRun.Status.DONE,
                ImportRun.Status.UNDONE,
                ImportRun.Status.REFUSED,
            }:
                raise CommandError(f"Import {run.pk} is {run.get_status_display().lower()}.")
        else:
            run = self._new_run(options)
        self.stdout.write(
            f"Import {run.pk}: {run.file_name} ({run.format}"
            + (f", {run.encoding}" if run.encoding else "")
            + (f", delimiter {run.delimiter!r}" if run.delimiter else "")
            + ")"
            + (" — dry run" if run.dry_run else "")
        )
        run = services.execute(run.pk, force=True, on_batch=self._progress)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(run.error)
        done = selectors.progress(run)
        verb = "would be " if run.dry_run else ""
        seconds = (run.finished_at - run.stretch_started_at).total_seconds()
        self.stdout.write(
            f"{run.rows_done:,} rows in {selectors.duration(int(seconds))}"
            f" ({done.rate:,.0f} rows/s): {run.created:,} {verb}created, "
            f"{run.updated:,} {verb}updated, {run.skipped:,} skipped, {run.rejected:,} rejected, "
            f"{run.warned:,} stored with a warning."
        )
        for rejection in selectors.rejections(run, limit=20):
            self.stdout.write(f"  row {rejection.row}, {rejection.column}: {rejection.reason}")
        if run.rejected > 20:
            self.stdout.write(f"  … and more: see the import's page for all {run.rejected}.")
        for note in selectors.notes(run, limit=20):
            self.stdout.write(f"  row {note.row}, {note.column or '-'}: {note.message}")

    def _calls(self, options) -> None:
        from django.core.files.uploadedfile import UploadedFile

        from clientela.dataio.importing.calls import import_calls

        path, folder = options["file"], options["recordings"]
        if path is None or not path.is_file():
            raise CommandError(f"There is no file {path}." if path else "Name the call log.")
        if folder is not None and not folder.is_dir():
            raise CommandError(f"There is no folder {folder}.")
        user = self._user(options["user"])
        with ExitStack() as stack:
            recordings = [
                UploadedFile(
                    stack.enter_context(item.open("rb")), name=item.name, size=item.stat().st_size
                )
                for item in (sorted(folder.iterdir()) if folder else [])
                if item.is_file()
            ]
            try:
                with path.open("rb") as handle:
                    result = import_calls(
                        actor=user,
                        source=UploadedFile(handle, name=path.name, size=path.stat().st_size),
                        recordings=recordings,
                    )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{result.logged:,} calls logged ({result.recordings:,} with a recording), "
            f"{result.already:,} imported before, {len(result.unmatched):,} with no contact, "
            f"{len(result.problems):,} rows with a problem."
        )
        for unmatched in result.unmatched[:20]:
            self.stdout.write(f"  row {unmatched.line}: no contact has {unmatched.number}")
        for line, problem in result.problems[:20]:
            self.stdout.write(f"  row {line}: {problem}")
        for line, name in result.missing_recordings[:20]:
            self.stdout.write(f"  row {line}: the recording {name} is not in the folder")

    def _new_run(self, options) -> ImportRun:
        path = options["file"]
        url = options["from_database"]
        if url and path is not None:
            raise CommandError("Import either a file or a database table, not both.")
        if url and not options["table"]:
            raise CommandError("Name the table to read with --table.")
        if options["table"] and not url:
            raise CommandError("--table goes with --from-database URL.")
        if path is None and not url:
            raise CommandError("Name the file to import (or --from-database, or --resume a run).")
        if path is not None and not path.is_file():
            raise CommandError(f"There is no file {path}.")
        user = self._user(options["user"])
        record_type = TYPES[options["type"]]
        try:
            if url:
                run = database.create_run_from_database(
                    actor=user, url=url, table=options["table"], record_type=record_type
                )
            else:
                with path.open("rb") as handle:
                    run = services.create_run(
                        actor=user,
                        source=handle,
                        file_name=path.name,
                        record_type=record_type,
                        encoding=options["encoding"],
                        delimiter=options["delimiter"],
                    )
            columns = self._columns(run, options["mapping"]) if options["mapping"] else run.mapping
            services.configure(
                actor=user,
                run=run,
                columns=columns,
                duplicate_mode=options["duplicates"],
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
        return run

    def _columns(self, run: ImportRun, name: str) -> list[str]:
        from clientela.dataio.importing import mapping

        saved = MappingTemplate.objects.filter(record_type=run.record_type, name=name).first()
        if saved is not None:
            table = saved.mapping
        elif Path(name).is_file():
            try:
                table = json.loads(Path(name).read_text(encoding="utf-8"))
            except (ValueError, OSError) as error:
                raise CommandError(f"The mapping file can't be read: {error}") from None
        else:
            raise CommandError(f"No saved mapping and no file named {name}.")
        allowed = {target.key for target in mapping.targets(run.record_type)}
        unknown = sorted(set(table.values()) - allowed - {""})
        if unknown:
            raise CommandError(f"Unknown fields in the mapping: {', '.join(unknown)}.")
        return mapping.from_template(run.headers, table, allowed)

    def _user(self, email: str):
        users = user_selectors.active()
        if email:
            user = users.filter(email=email.strip().lower()).first()
            if user is None:
                raise CommandError(f"There is no active user {email}.")
            return user
        return users.filter(is_superuser=True).order_by("id").first()

    def _progress(self, run: ImportRun) -> None:
        run.refresh_from_db()
        done = selectors.progress(run)
        line = (
            f"\r{done.done:,} / {done.total or 0:,} rows ({done.percent}%) · "
            f"{done.rate:,.0f} rows/s · {selectors.duration(done.seconds_left)} left   "
        )
        if sys.stderr.isatty():
            sys.stderr.write(line)
            sys.stderr.flush()
        else:
            self.stderr.write(line.strip())
