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

from django.db import connection, transaction

from bench.memory import rss_kib

GIVEN = ["Ana", "Ion", "Maria", "Andrei", "Elena", "Mihai", "Lucía", "José", "Priya", "Raj"]
FAMILY = ["Popescu", "Ionescu", "Ștefănescu", "Țăranu", "García", "Muñoz", "Sharma", "Gupta"]
DOMAIN = "@bench.example"
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


def write_csv(path: Path, rows: int, seed: int = 10, start: int = 0) -> None:
    """A HubSpot-style export of distinct people (a number in each family name, so none
    repeats another by name and company): every 200th row has a broken e-mail, every 10th
    a note. People `start` to `start + rows`: their e-mails and (Spanish) phones are met in
    no earlier run's file nor in a generated database, whose phones are Romanian."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(start, start + rows):
            email = f"person{i}{DOMAIN}" if i % 200 else f"broken{i}@"
            writer.writerow(
                [
                    rng.choice(GIVEN),
                    f"{rng.choice(FAMILY)} {i}",
                    email,
                    f"+34 6{i % 10**8:08d}",
                    f"Company {i % 500}",
                    "Buyer",
                    rng.choice(["lead", "customer", "opportunity"]),
                    "Cluj-Napoca",
                    "bench, imported",
                    "Called in May" if i % 10 == 0 else "",
                ]
            )


def raw_floor(path: Path) -> dict:
    """The floor the import is held against: the same file through the `csv` reader,
    `phonenumbers` E.164 formatting and executemany (SQLite) or COPY (PostgreSQL) into a
    scratch table of its columns, in one transaction, with no duplicate check, no
    validation and nothing else written beside each row. On SQLite the scratch table is
    on disk: in memory (the connection's temp_store) it would stay in the process's RSS
    and be counted against the import's memory."""
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store=FILE")
    try:
        with transaction.atomic():
            return _raw_pipeline(path)
    finally:
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA temp_store=MEMORY")  # as config.SQLITE_PRAGMAS has it


def _raw_pipeline(path: Path) -> dict:
    import phonenumbers

    columns = [f"c{i}" for i in range(len(HEADER))]
    phone = HEADER.index("Phone Number")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_raw_import ("
            + ", ".join(f"{name} varchar(200)" for name in columns)
            + ")"
        )
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            batch: list[list[str]] = []
            for cells in reader:
                number = phonenumbers.parse(cells[phone], "RO")
                cells[phone] = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                )
                batch.append(cells)
                if len(batch) == 1000:
                    _raw_write(columns, batch)
                    batch = []
            _raw_write(columns, batch)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FROM bench_raw_import")
        (rows,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_raw_import")
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}


def _raw_write(columns: list[str], batch: list[list[str]]) -> None:
    from bench.generate import append_rows

    if batch:
        append_rows("bench_raw_import", columns, batch)


def next_person() -> int:
    """The number after the last person an earlier run brought into this database (their
    rows are written in order, so the newest e-mail is theirs); 0 when none did."""
    from clientela.customers.models import EmailAddress

    last = (
        EmailAddress.objects.filter(address__startswith="person", address__endswith=DOMAIN)
        .order_by("-id")
        .values_list("address", flat=True)
        .first()
    )
    return int(last[len("person") : -len(DOMAIN)]) + 1 if last else 0


def run(rows: int, log, types: list[str] | None = None) -> dict:
    from clientela.dataio.importing import services
    from clientela.users import services as user_services
    from clientela.users.models import User

    actor = User.objects.filter(is_superuser=True).order_by("id").first()
    if actor is None:
        actor = user_services.create_user(
            email="bench-import@bench.example", full_name="Bench", administrator=True
        )
    from clientela.customers.models import Contact

    contacts_before = Contact.objects.count()  # the duplicate check reads these
    # Into a database an earlier run (or `bench generate`) filled, new people all the
    # same: a file of people it has would time skipping them, not importing.
    start = next_person()
    folder = Path(tempfile.mkdtemp(prefix="clientela-import-bench-"))
    source = folder / "hubspot-contacts.csv"
    write_csv(source, rows, start=start)
    log(f"Wrote {source} ({source.stat().st_size / 1e6:.1f} MB, {rows:,} rows)")
    floor = raw_floor(source)
    log(
        f"Raw pipeline (csv, phonenumbers, {'COPY' if connection.vendor == 'postgresql' else 'executemany'}): {floor['rows_per_second']:,} rows/s"
    )
    import_run = _queued(actor, source, "contact")
    samples: list[tuple[int, float, int]] = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    start_rss = rss_kib()

    def sample(current) -> None:
        current.refresh_from_db(fields=["rows_done"])
        samples.append((current.rows_done, time.perf_counter() - started, rss_kib()))
        if len(samples) % 50 == 0:
            done, seconds, rss = samples[-1]
            log(f"  {done:,} rows, {done / seconds:,.0f} rows/s, RSS {rss / 1024:.0f} MiB")

    finished = services.execute(import_run.pk, on_batch=sample)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    rss = [s[2] for s in samples]
    tenth = rss[len(rss) // 10] if rss else 0
    result = {
        "rows": rows,
        "database": connection.vendor,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "cpu_seconds": round(cpu_seconds, 1),
        "rows_per_cpu_second": round(rows / cpu_seconds),
        "raw_floor_rows_per_second": floor["rows_per_second"],
        "x_raw_floor": round((rows / seconds) / floor["rows_per_second"], 3),
        "target_x_raw_floor": 0.5,
        "contacts_before": contacts_before,
        "created": finished.created,
        "skipped": finished.skipped,
        "rejected": finished.rejected,
        "status": finished.status,
        "rss_start_mib": round(start_rss / 1024),
        "rss_at_10_percent_mib": round(tenth / 1024),
        "rss_end_mib": round((rss[-1] if rss else 0) / 1024),
        "rss_peak_mib": round(max(rss, default=0) / 1024),
        "maxrss_process_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    rate_met = result["x_raw_floor"] >= result["target_x_raw_floor"]
    memory_met = result["rss_peak_mib"] <= 300
    result["targets"] = (
        f"rate {'ok' if rate_met else 'MISS'} ({result['x_raw_floor']}x the raw floor, "
        f"target {result['target_x_raw_floor']}x), peak memory {'ok' if memory_met else 'MISS'} "
        f"({result['rss_peak_mib']} MiB, target 300)"
    )
    source.unlink()
    result["other_types"] = run_other_types(actor, folder, range(start, start + rows), log, types)
    return result


# The other record types go through their apps' services row by row (an order with its
# lines, a timeline entry with its links, a task with its reminder): at most this many
# rows of each, so the 1M run stays within the evening.
OTHER_TYPES_ROWS = 100_000


def _queued(actor, source: Path, record_type: str):
    from clientela.dataio.importing import services
    from clientela.dataio.models import ImportRun

    with source.open("rb") as handle:
        import_run = services.create_run(
            actor=actor, source=handle, file_name=source.name, record_type=record_type
        )
    services.configure(
        actor=actor,
        run=import_run,
        columns=import_run.mapping,
        duplicate_mode="skip",
        dry_run=False,
    )
    ImportRun.objects.filter(pk=import_run.pk).update(status=ImportRun.Status.QUEUED)
    return import_run


OTHER_FILES = {
    "order": (
        ["Order Number", "Customer Email", "SKU", "Quantity", "Unit Price", "Date"],
        lambda i, email, actor: [f"BO-{i}", email, "BENCH-1", str(1 + i % 5), "9.50", "2026-03-01"],
    ),
    "activity": (
        ["Activity ID", "Type", "Subject", "Notes", "Date", "Duration", "Contact Email"],
        lambda i, email, actor: [
            f"ba-{i}", "Call" if i % 2 else "Note", "Follow-up", "Asked for the price list",
            "2026-02-03 10:15", "5:00", email,
        ],
    ),
    "task": (
        ["Task ID", "Subject", "Due Date", "Priority", "Assigned To", "Contact Email", "Status"],
        lambda i, email, actor: [
            f"bt-{i}", "Send the offer", "2026-04-01", "High", actor.email, email,
            "Completed" if i % 3 == 0 else "Open",
        ],
    ),
}  # fmt: skip


def run_other_types(actor, folder: Path, contacts: range, log, types: list[str] | None) -> dict:
    """Orders (one line each), calls and notes, and tasks on the contacts the contact import
    brought in (by e-mail; as many rows as it had good ones, up to OTHER_TYPES_ROWS), each
    type's file timed through the same import path."""
    from clientela.dataio.importing import services
    from clientela.orders.models import PriceList, Product, Warehouse

    if not PriceList.objects.filter(is_default=True).exists():
        PriceList.objects.create(name="Bench", currency="RON", is_default=True)
    if not Warehouse.objects.filter(is_default=True).exists():
        Warehouse.objects.create(name="Bench", is_default=True)
    Product.objects.get_or_create(sku="BENCH-1", defaults={"name": "Bench product"})
    people = [i for i in contacts if i % 200][:OTHER_TYPES_ROWS]  # a good e-mail
    results = {}
    for record_type, (header, row) in OTHER_FILES.items():
        if types is not None and record_type not in types:
            continue
        source = folder / f"{record_type}s.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for i in people:
                writer.writerow(row(i, f"person{i}{DOMAIN}", actor))
        import_run = _queued(actor, source, record_type)
        started, cpu_started = time.perf_counter(), time.process_time()
        finished = services.execute(import_run.pk)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        results[record_type] = {
            "rows": len(people),
            "seconds": round(seconds, 1),
            "rows_per_second": round(len(people) / seconds),
            # This process's CPU only (on PostgreSQL the server's work is not in it): the
            # figure that holds still on a machine other work shares.
            "rows_per_cpu_second": round(len(people) / max(cpu_seconds, 0.001)),
            "created": finished.created,
            "rejected": finished.rejected,
            "status": finished.status,
        }
        log(f"{record_type}s: {results[record_type]}")
        source.unlink()
    return results


def merge_queue_sql(context, limited: bool) -> list[tuple[str, list]]:
    """The merge queue's floor: its open pairs, newest first, as many as it reads."""
    from clientela.dataio.models import SuspectedDuplicate

    pairs = SuspectedDuplicate.objects.filter(status=SuspectedDuplicate.Status.OPEN).order_by(
        "-created_at", "-id"
    )[:200]
    sql, params = pairs.query.sql_with_params()
    return [(sql, list(params))]


def data_health_sql(context, limited: bool) -> list[tuple[str, list]]:
    """Data health's floor: a page of unverified numbers, newest first, with their records."""
    from clientela.customers.models import PhoneNumber

    phones = (
        PhoneNumber.objects.filter(verified=False)
        .select_related("contact", "company")
        .order_by("-id")[:51]
    )
    sql, params = phones.query.sql_with_params()
    return [(sql, list(params))]


def benchmarks() -> list:
    """The import pages that list: the merge queue and data health, as the administrator
    opens them."""
    from bench.requests import Benchmark

    return [
        Benchmark(
            "imports: merge queue",
            lambda c, limited: "/imports/duplicates/",
            merge_queue_sql,
            admin_only=True,
        ),
        Benchmark(
            "imports: data health",
            lambda c, limited: "/imports/data-health/",
            data_health_sql,
            admin_only=True,
        ),
    ]
