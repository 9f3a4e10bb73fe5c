"""`clientela transfer --to postgres://…`: copy this installation into an empty database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clientela.dataio.backups import backup, transfer
from clientela.dataio.management.report import print_tables


class Command(BaseCommand):
    help = (
        "Copy every table of this installation's database into an empty database "
        "(e.g. from the desktop SQLite file to PostgreSQL) and check the copy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", required=True, metavar="URL", help="postgres://user:password@host:5432/name"
        )

    def handle(self, *args, **options):
        def progress(table: str, rows: int) -> None:
            self.stdout.write(f"  copied {table}: {rows:,} rows")

        try:
            result = transfer.transfer(options["to"], progress=progress)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(f"The target database refused the copy: {error}") from None
        print_tables(self, result.comparison)
        self.stdout.write(
            self.style.SUCCESS(
                "Transfer complete: every table has the same rows and content. Point "
                "CLIENTELA_DATABASE_URL at the new database to use it."
            )
        )
