"""Exports the rows Clientela's bench generator wrote (bench/generate.py; the same seed
gives the same rows) for the peers benchmark: each company's name, e-mail, phone and
website, each contact's given and family name, e-mail, phone and company, by id, as CSV.
Runs from Clientela's environment against its bench database, PostgreSQL.

    python bench/peers/rows.py postgres://…/clientela_peers_100000 ROWS_DIR
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import psycopg

QUERIES = {
    "companies.csv": (
        ["id", "name", "email", "phone", "website"],
        "SELECT id, name, email, phone, website FROM customers_company ORDER BY id",
    ),
    "contacts.csv": (
        ["id", "given", "family", "email", "phone", "company"],
        "SELECT id, given_name, family_name, email, phone, company_id"
        " FROM customers_contact ORDER BY id",
    ),
}


def export(url: str, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    with psycopg.connect(url) as connection:
        for name, (header, query) in QUERIES.items():
            with (folder / name).open("w", newline="") as handle:
                out = csv.writer(handle)
                out.writerow(header)
                counts[name] = 0
                for row in connection.execute(query):
                    out.writerow(["" if value is None else value for value in row])
                    counts[name] += 1
    return counts


if __name__ == "__main__":
    print(export(sys.argv[1], Path(sys.argv[2])))
