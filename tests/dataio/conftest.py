"""Fixtures for backup tests: private folders, a populated installation, throwaway databases."""

from __future__ import annotations

import io
import os
import secrets
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from clientela import config
from clientela.dataio.backups import tables
from clientela.users import services as user_services

PG_ADMIN_URL = os.environ.get(
    "CLIENTELA_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientela"
)
UPLOAD_BYTES = bytes(range(256)) * 40 + "Ofertă semnată — ñ".encode()


@pytest.fixture(autouse=True)
def private_folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT.mkdir()
    settings.BACKUP_DIR.mkdir()
    return settings


@pytest.fixture
def populated(transactional_db, private_folders):
    """Demo data, people added through the services, and one uploaded file."""
    call_command("demo", stdout=io.StringIO())
    user_services.create_user(
        email="ioana.dumitrescu@firma.ro",
        full_name="Ioana Dumitrescu",
        password="Corect-cal-baterie-9",
        administrator=True,
    )
    user_services.create_user(email="lucia.fernandez@empresa.es", full_name="Lucía Fernández")
    name = default_storage.save("contracts/2026/oferta.pdf", ContentFile(UPLOAD_BYTES))
    return Path(private_folders.MEDIA_ROOT) / name


def postgres_admin():
    """A psycopg connection to the test PostgreSQL server, or a skip with the reason."""
    import psycopg

    # On the PostgreSQL run, the server the test database is on; else the default address.
    if connection.vendor == "postgresql":
        parsed = connection.settings_dict
    else:
        parsed = config.database(Path("/tmp"), PG_ADMIN_URL).config  # noqa: S108
    url_params = {
        "host": parsed["HOST"] or "127.0.0.1",
        "port": parsed["PORT"] or 5432,
        "user": parsed["USER"],
        "password": parsed["PASSWORD"],
        "dbname": "postgres",
    }
    try:
        return psycopg.connect(**url_params, autocommit=True, connect_timeout=3), url_params
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({error.__class__.__name__})")


@pytest.fixture
def postgres_database():
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    admin, params = postgres_admin()
    name = f"clientela_t_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['password']}" if params.get("password") else ""
    yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def fresh_database(request, tmp_path):
    """An alias for a new, empty database of the vendor this test run uses."""
    if connection.vendor == "postgresql":
        url = request.getfixturevalue("postgres_database")
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    with tables.database_alias(config.database(tmp_path, url).config, prefix="fresh") as alias:
        yield alias


def rewrite_archive(source: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting `change(members)` edit the {name: bytes}."""
    with tarfile.open(source, "r:gz") as tar:
        members = {info.name: tar.extractfile(info).read() for info in tar if info.isfile()}
    change(members)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target
