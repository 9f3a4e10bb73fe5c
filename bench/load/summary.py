"""The load test's summary (scripts/loadtest): per request, how many, how many failed, p50,
p95 and throughput from locust's CSV; the database's connections over the run; and two
checks that no acknowledged write was lost — every call the API answered 201 for is in the
database, and every import the pages started finished with its rows."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import psycopg

PG = "postgres://postgres@127.0.0.1:5432"


def main(work: Path, database: str) -> None:
    rows = list(csv.DictReader((work / "locust_stats.csv").read_text("utf-8").splitlines()))
    print("| Request | Count | Failed | p50 ms | p95 ms | per s |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {float(row['Requests/s']):.1f} |"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests, failed = int(total["Request Count"]), int(total["Failure Count"])
    print(f"\nError rate: {failed} of {requests} ({100 * failed / max(requests, 1):.2f} %)")
    failures = work / "locust_failures.csv"
    if failures.exists():
        for row in csv.DictReader(failures.read_text("utf-8").splitlines()):
            print(f"- {row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error'][:160]}")

    lines = (work / "connections.txt").read_text().splitlines()
    counts = [int(line) for line in lines if line.strip().isdigit()]
    if counts:
        print(
            f"Database connections: at most {max(counts)}, "
            f"on average {sum(counts) / len(counts):.1f} ({len(counts)} samples)"
        )

    calls = next((row for row in rows if row["Name"] == "api log a call"), None)
    with psycopg.connect(f"{PG}/{database}") as connection:
        stored = connection.execute(
            "SELECT count(*) FROM activities_activity WHERE subject = 'Load test call'"
        ).fetchone()[0]
        imports = connection.execute(
            "SELECT status, count(*), sum(created) FROM dataio_importrun GROUP BY status"
        ).fetchall()
    if calls:
        acknowledged = int(calls["Request Count"]) - int(calls["Failure Count"])
        verdict = "none lost" if stored >= acknowledged else "LOST WRITES"
        print(f"Calls acknowledged {acknowledged}, stored {stored}: {verdict}")
    for status, count, created in imports:
        print(f"Imports {status}: {count} ({created or 0} contacts created)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
