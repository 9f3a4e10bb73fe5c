"""`clientela restore ARCHIVE`: restore a backup into an empty installation."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clientela.dataio.backups import backup
from clientela.dataio.management.report import print_tables


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database and uploads folder, "
        "then apply this version's migrations."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and uploads that are not empty (needs --yes too).",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm --force: the current data is saved in a safety backup, then replaced.",
        )

    def handle(self, *args, **options):
        if options["force"] and not options["yes"]:
            raise CommandError(
                "--force deletes the current data (after saving a safety backup). "
                "Add --yes to confirm."
            )
        try:
            result = backup.restore_backup(options["archive"], force=options["force"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(f"The database refused the restore: {error}") from None
        if result.safety_backup is not None:
            self.stdout.write(f"The previous data was saved in {result.safety_backup.path}")
        print_tables(self, result.comparison)
        self.stdout.write(f"{result.files} uploaded files restored.")
        if result.migrated_forward:
            self.stdout.write(
                f"The backup came from an older version: {len(result.migrated_forward)} "
                "migrations applied to bring it up to date."
            )
        self.stdout.write(self.style.SUCCESS("Restore complete."))
