"""`clientela backup`: write one archive of the database and the uploaded files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clientela.dataio.backups import backup
from clientela.dataio.management.report import print_verification


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (.tar.gz)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Where to write the archive (default: the backups folder)."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Then restore it into a temporary database and compare every table.",
        )

    def handle(self, *args, **options):
        try:
            record = backup.create_backup(output=options["output"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backup written to {record.path} ({record.size:,} bytes, {record.seconds:.1f} s)"
        )
        if options["verify"]:
            print_verification(self, backup.verify_backup(record))
