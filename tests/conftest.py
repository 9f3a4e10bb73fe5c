"""Fixtures shared by every test: users, a logged-in client, and subprocess helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The product's password hashers, as settings.py states them (Argon2 first); the tests
# themselves hash with a fast one (see pytest_configure) and the test of the product's
# hashing puts these back.
PRODUCT_PASSWORD_HASHERS: list[str] = []

# Real IMAP and SMTP servers for the e-mail tests, started only by those that ask.
pytest_plugins = ["tests.mail_servers", "tests.messenger_fake"]


def pytest_configure(config):
    from django.conf import settings

    # Argon2 spends about 0.2 s of CPU on each hash and each check, by design: at thousands
    # of made users and logins that is minutes of the test run. Tests hash with MD5 first;
    # Argon2 stays in the list, so a password hashed the product's way still checks.
    PRODUCT_PASSWORD_HASHERS[:] = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *PRODUCT_PASSWORD_HASHERS,
    ]
    # Tests render pages without running collectstatic first: hashed file names are
    # checked in the browser test that starts the real server.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Pages are rendered in every language: the catalogues must be compiled (scripts/test
    # does it first; this is for pytest run by itself, and costs nothing when current).
    from clientela.core import catalogues

    catalogues.ensure_compiled()
    # The cache is files in the test data folder, which outlives a run: rate limits and
    # remembered names start empty, as in a new installation.
    from django.core.cache import cache

    cache.clear()


# The fixtures through which a test reaches the run's database (pytest-django's, and the
# live server that serves from it); a test asking for none of them, directly or through
# another fixture, cannot open it.
_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def _uses_the_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, the tests that never open the run's database are skipped:
    file checks (layers, catalogues, marked strings) and the commands run in a data
    folder of their own (`scripts/run`, `clientela run`, the settings), which use an SQLite
    file there whatever the run's database. They ran, identically, on the SQLite pass.
    A test that reaches the database server or its backend by itself (a database of its
    own on the same server, the backend's value conversions) says so with
    `@pytest.mark.each_database` and is kept."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    skip = pytest.mark.skip(reason="opens no database: run on the SQLite pass")
    for item in items:
        if not _uses_the_database(item) and item.get_closest_marker("each_database") is None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _webhook_subscriptions_forgotten():
    """The cache outlives a test's rolled-back database: which events some subscription wants
    is read afresh in each test, as after a new process's start."""
    from django.core.cache import cache

    from clientela.webhooks.services import SUBSCRIBED_EVENTS_KEY

    cache.delete(SUBSCRIBED_EVENTS_KEY)


@pytest.fixture(autouse=True)
def _remembered_results_forgotten():
    """The cache outlives a test's rolled-back database, whose writes never committed: the
    results remembered of its tables (core.remembered) are read afresh in each test."""
    from clientela.core import remembered

    remembered.forget_all()


@pytest.fixture(autouse=True)
def _language_reset_after_each_test():
    """A request leaves its language active in the thread (Django's LocaleMiddleware does,
    and so does a person's own language): without this, a test that read a page in Hindi
    would leave the next test's messages in Hindi."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def make_user(db):
    from clientela.users import services

    def make(email="ana.popescu@firma.ro", password="Corect-cal-baterie-9", **fields):
        return services.create_user(email=email, password=password, **fields)

    return make


@pytest.fixture
def two_teams(make_user):
    """Bogdan of the Sales Bucharest team and Radu, a sales representative of Sales Cluj:
    what one team's records are to a representative of another. (Bogdan, Radu)."""
    from clientela.users.services import role_named, team_named

    owner_b = make_user(
        email="bogdan@firma-b.ro", full_name="Bogdan B", team=team_named("Sales Bucharest")
    )
    rep_a = make_user(
        email="radu@firma-a.ro",
        full_name="Radu A",
        role=role_named("sales-representative"),
        team=team_named("Sales Cluj"),
    )
    return owner_b, rep_a


@pytest.fixture
def user(make_user):
    return make_user(full_name="Ana Popescu")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


def clientela_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """An environment for a `clientela` subprocess with its own data folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLIENTELA_", "DJANGO_"))
    }
    env["CLIENTELA_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run_clientela(data_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clientela.cli", *args],
        env=clientela_env(data_dir, **extra_env),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
