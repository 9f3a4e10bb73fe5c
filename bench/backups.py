"""The backup benchmark: the product's own backup service (what `clientela backup --verify`
runs) on the benchmark database: seconds to write the archive, its size, seconds to verify
it by restoring into a scratch database, the process's CPU seconds and peak memory in each
step."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.memory import RssSampler


def database_bytes() -> int:
    """The database's own size on disk, for scale beside the archive's."""
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return sum(p.stat().st_size for p in name.parent.glob(name.name + "*") if p.is_file())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def run(log) -> dict:
    from clientela.customers.models import Contact
    from clientela.dataio.backups import backup

    folder = Path(tempfile.mkdtemp(prefix=".backup-bench-", dir=settings.DATA_DIR))
    output = folder / "clientela-backup-bench.tar.gz"
    log(f"Backing up a {database_bytes() / 1e6:,.0f} MB {connection.vendor} database")
    with RssSampler() as writing:
        started, cpu = time.perf_counter(), time.process_time()
        record = backup.create_backup(output=output)
        write_seconds = time.perf_counter() - started
        write_cpu = time.process_time() - cpu
    log(f"  written: {record.size / 1e6:,.1f} MB in {write_seconds:.1f} s ({write_cpu:.1f} s CPU)")
    with RssSampler() as verifying:
        started, cpu = time.perf_counter(), time.process_time()
        verification = backup.verify_backup(record)
        verify_seconds = time.perf_counter() - started
        verify_cpu = time.process_time() - cpu
    log(
        f"  verified ({'ok' if verification.ok else verification.problem}) in {verify_seconds:.1f} s"
        f" ({verify_cpu:.1f} s CPU)"
    )
    checks = verification.comparison.checks
    rows = sum(check.rows for check in checks)
    result = {
        "database": connection.vendor,
        "contacts": Contact.objects.count(),
        "database_bytes": database_bytes(),
        "archive_bytes": record.size,
        "write_seconds": round(write_seconds, 2),
        "verify_seconds": round(verify_seconds, 2),
        # CPU seconds of this process: on a machine shared with other work, wall time
        # alone says more about the neighbours than about the backup.
        "write_cpu_seconds": round(write_cpu, 2),
        "verify_cpu_seconds": round(verify_cpu, 2),
        "write_rows_per_second": round(rows / write_seconds) if write_seconds else None,
        "verify_rows_per_second": round(rows / verify_seconds) if verify_seconds else None,
        "verified": verification.ok,
        "problem": verification.problem,
        "tables": len(checks),
        "rows": rows,
        "write_rss": writing.figures(),
        "verify_rss": verifying.figures(),
    }
    output.unlink()
    folder.rmdir()
    return result
