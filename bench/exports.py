"""The export benchmark: every contact as CSV through the product's own export path (the
contacts list's CSV export, the same writer `clientela export-all` uses), streamed into a
file, timing the rows per second and sampling the process's memory as it goes, to show it
stays flat however many rows there are."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.generate import ADMIN_EMAIL
from bench.memory import RssSampler, mib, rss_kib

SAMPLES = 10  # memory noted after every tenth of the rows


def run(log) -> dict:
    from clientela.customers import listing
    from clientela.dataio.exporting import services as exporting
    from clientela.users.models import User

    admin = User.objects.get(email=ADMIN_EMAIL)
    # The contacts list's export as the administrator sees it: every row, no filter.
    queryset = listing.base_queryset(admin, "contact")
    total = queryset.count()  # setup, to know when a tenth is done; not timed
    every = max(1, total // SAMPLES)
    samples: list[dict] = []
    folder = Path(tempfile.mkdtemp(prefix=".export-bench-", dir=settings.DATA_DIR))
    target = folder / "contacts.csv"
    rows = -1  # the first line is the header
    with RssSampler() as rss:
        started = time.perf_counter()
        cpu_started = time.process_time()
        export = exporting.ListExport(admin, "contact", queryset)
        with target.open("w", encoding="utf-8", newline="") as out:
            for line in export.csv_lines():
                out.write(line)
                rows += 1
                if rows and rows % every == 0:
                    seconds = time.perf_counter() - started
                    samples.append({"rows": rows, "seconds": round(seconds, 2)})
                    samples[-1]["rss_mib"] = mib(rss_kib())
                    log(
                        f"  {rows:,} rows, {rows / seconds:,.0f} rows/s, "
                        f"RSS {samples[-1]['rss_mib']} MiB"
                    )
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    size = target.stat().st_size
    target.unlink()
    folder.rmdir()
    return {
        "database": connection.vendor,
        "contacts": total,
        "rows": rows,
        "format": "csv",
        "user": "admin",
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else 0,
        # The machine is shared: CPU time is what compares between runs, not wall time.
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round(rows / cpu) if cpu else 0,
        "bytes": size,
        **rss.figures(),
        "rss_samples": samples,
    }
