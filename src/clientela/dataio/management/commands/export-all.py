"""`clientela export-all [--output PATH]`: everything in one ZIP, in the open format of
docs/export-format.md."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from clientela.dataio.exporting import services as exporting


class Command(BaseCommand):
    help = "Export every record, file and the audit trail into one ZIP of JSON Lines and CSV."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Where to write the ZIP.")

    def handle(self, *args, **options):
        path = exporting.full_export(options["output"])
        self.stdout.write(f"Exported everything to {path} ({path.stat().st_size:,} bytes)")
