"""How the backup commands print a per-table comparison."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clientela.dataio.backups.backup import Verification
from clientela.dataio.backups.tables import Comparison


def print_tables(command: BaseCommand, comparison: Comparison) -> None:
    width = max((len(check.table) for check in comparison.checks), default=5)
    for check in comparison.checks:
        state = "ok" if check.ok else "DIFFERS"
        rows = f"{check.rows:>9,} rows"
        command.stdout.write(f"  {check.table:<{width}}  {rows}  {check.checksum[:12]}  {state}")


def print_verification(command: BaseCommand, result: Verification) -> None:
    print_tables(command, result.comparison)
    if not result.ok:
        raise CommandError(f"Verification failed: {result.problem}")
    command.stdout.write(
        command.style.SUCCESS(
            f"Verified: {len(result.comparison.checks)} tables and {result.files} files "
            "match the manifest."
        )
    )
