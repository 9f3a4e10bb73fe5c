"""The import benchmark: a generated CSV of N contacts imported through the real import
path (the one the UI and `clientela import` use), timing the rows per second and sampling
the process's memory after every batch, to show it stays flat however long the file."""

from __future__ import annotations

import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from django.db import connection

GIVEN = ["Ana", "Ion", "Maria", "Andrei", "Elena", "Mihai", "Lucía", "José", "Priya", "Raj"]
FAMILY = ["Popescu", "Ionescu", "Ștefănescu", "Țăranu", "García", "Muñoz", "Sharma", "Gupta"]
HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Job Title",
    "Lifecycle Stage",
    "City",
    "Tags",
    "Notes",
]


def write_csv(path: Path, rows: int, seed: int = 10) -> None:
    """A HubSpot-style export of distinct people (a number in each family name, so none
    repeats another by name and company): every 200th row has a broken e-mail, every 10th
    a note."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            email = f"person{i}@bench.example" if i % 200 else f"broken{i}@"
            writer.writerow(
                [
                    rng.choice(GIVEN),
                    f"{rng.choice(FAMILY)} {i}",
                    email,
                    f"+40 7{i:08d}",
                    f"Company {i % 500}",
                    "Buyer",
                    rng.choice(["lead", "customer", "opportunity"]),
                    "Cluj-Napoca",
                    "bench, imported",
                    "Called in May" if i % 10 == 0 else "",
                ]
            )


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(rows: int, log) -> dict:
    from clientela.dataio.importing import services
    from clientela.dataio.models import ImportRun
    from clientela.users import services as user_services
    from clientela.users.models import User

    actor = User.objects.filter(is_superuser=True).order_by("id").first()
    if actor is None:
        actor = user_services.create_user(
            email="bench-import@bench.example", full_name="Bench", administrator=True
        )
    folder = Path(tempfile.mkdtemp(prefix="clientela-import-bench-"))
    source = folder / "hubspot-contacts.csv"
    write_csv(source, rows)
    log(f"Wrote {source} ({source.stat().st_size / 1e6:.1f} MB, {rows:,} rows)")
    with source.open("rb") as handle:
        import_run = services.create_run(
            actor=actor, source=handle, file_name=source.name, record_type="contact"
        )
    services.configure(
        actor=actor,
        run=import_run,
        columns=import_run.mapping,
        duplicate_mode="skip",
        dry_run=False,
    )
    ImportRun.objects.filter(pk=import_run.pk).update(status=ImportRun.Status.QUEUED)
    samples: list[tuple[int, float, int]] = []
    started = time.perf_counter()
    start_rss = _rss_kib()

    def sample(current) -> None:
        current.refresh_from_db(fields=["rows_done"])
        samples.append((current.rows_done, time.perf_counter() - started, _rss_kib()))
        if len(samples) % 50 == 0:
            done, seconds, rss = samples[-1]
            log(f"  {done:,} rows, {done / seconds:,.0f} rows/s, RSS {rss / 1024:.0f} MiB")

    finished = services.execute(import_run.pk, on_batch=sample)
    seconds = time.perf_counter() - started
    rss = [s[2] for s in samples]
    tenth = rss[len(rss) // 10] if rss else 0
    result = {
        "rows": rows,
        "database": connection.vendor,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "created": finished.created,
        "rejected": finished.rejected,
        "status": finished.status,
        "rss_start_mib": round(start_rss / 1024),
        "rss_at_10_percent_mib": round(tenth / 1024),
        "rss_end_mib": round((rss[-1] if rss else 0) / 1024),
        "rss_peak_mib": round(max(rss, default=0) / 1024),
        "maxrss_process_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    source.unlink()
    return result
