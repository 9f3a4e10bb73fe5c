"""`clientela verify-backup ARCHIVE`: restore an archive into a temporary place and compare."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from clientela.dataio.backups import backup
from clientela.dataio.management.report import print_verification


class Command(BaseCommand):
    help = "Check a backup archive: restore it into a temporary database and compare every table."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, **options):
        print_verification(self, backup.verify_archive(options["archive"]))
