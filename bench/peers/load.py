"""Loads Clientela's bench rows into DjangoCRM through DjangoCRM's own ORM, and writes what
the HTTP benchmark needs to ask its pages as a signed-in user. Runs inside bench/peers/.venv
(DjangoCRM installed) with DJANGO_SETTINGS_MODULE=peer_settings; scripts/bench-peers runs it.

    python bench/peers/load.py ROWS_DIR ACCOUNTS.json --surname moreno

ROWS_DIR holds companies.csv (id, name, email, phone, website) and contacts.csv (id, given,
family, email, phone, company) as bench/peers/rows.py exported them from Clientela's bench
database: the same names, e-mails, phones and companies, under the same ids. DjangoCRM's
setup (its `setupdata` command: migrations, its reference data, its users) comes first. A
contact of DjangoCRM must belong to a company: the people Clientela's generator leaves
without one go to one company, "No company", made after the others."""

from __future__ import annotations

import argparse
import csv
import json
import secrets
from pathlib import Path

import django

django.setup()

from crm.models import Company, Contact  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

BATCH = 5000
USERNAME = "IamSUPER"  # setupdata's administrator: Clientela's benchmark signs in as its own


def _rows(path: Path):
    with path.open(newline="") as handle:
        yield from csv.DictReader(handle)


def _batches(items, size: int = BATCH):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(model) -> None:
    """The ids were given: the sequence goes on after them, as after ordinary inserts."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def _load(model, path: Path, build) -> int:
    """Every row of one CSV file as `model`s (built by `build`) under their own ids."""
    count = 0
    for batch in _batches(_rows(path)):
        model.objects.bulk_create(model(id=int(row["id"]), **build(row)) for row in batch)
        count += len(batch)
    _reset_sequences(model)
    return count


def load(rows: Path, owner) -> tuple[int, int]:
    companies = _load(
        Company,
        rows / "companies.csv",
        lambda row: {
            "full_name": row["name"],
            "email": row["email"],
            "phone": row["phone"],
            "website": row["website"],
            "owner": owner,
        },
    )
    nobody = Company.objects.create(full_name="No company", email="none@bench.test", owner=owner)
    contacts = _load(
        Contact,
        rows / "contacts.csv",
        lambda row: {
            "first_name": row["given"],
            "last_name": row["family"],
            "email": row["email"],
            "phone": row["phone"],
            "company_id": int(row["company"]) if row["company"] else nobody.pk,
            "owner": owner,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return companies, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=Path)
    parser.add_argument("accounts", type=Path)
    parser.add_argument("--surname", default="moreno")
    options = parser.parse_args()
    if "auth_user" not in connection.introspection.table_names():
        call_command("setupdata")  # once per database: a second run reuses its users
    user = get_user_model().objects.get(username=USERNAME)
    if Contact.objects.exists():  # a kept database (PEERS_KEEP=1): used as it is
        print(f"DjangoCRM: {Contact.objects.count()} contacts already there")
    else:
        with transaction.atomic():
            companies, contacts = load(options.rows, user)
        print(f"DjangoCRM: loaded {companies} companies and {contacts} contacts")
    browser = Client()
    browser.force_login(user)  # a session as after signing in, as for Clientela's user
    csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret Django accepts as it is
    prefix = f"/en/{settings.SECRET_CRM_PREFIX}crm/contact/"
    accounts = {
        "product": "DjangoCRM",
        "cookies": {
            settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf,
        },
        "pages": {
            "contacts: first page": prefix,
            "contacts: search filter": f"{prefix}?q={options.surname}",
            "contact page": f"{prefix}1/change/",
        },
        "create": {
            "path": f"{prefix}add/",
            "expect": 302,
            "form": {
                "csrfmiddlewaretoken": csrf,
                "first_name": "Bench",
                "last_name": "Person {n}",
                "email": "bench.person.{n}@bench.test",
                "phone": "+40 21 3{k}",
                "company": "1",
                "sex": "M",
                "massmail": "on",
                "_save": "Save",
            },
        },
    }
    options.accounts.write_text(json.dumps(accounts, indent=2))


if __name__ == "__main__":
    main()
