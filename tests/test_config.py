"""The environment drives the settings: data folder, secret key, database URL, SQLite tuning."""

from __future__ import annotations

import stat

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from clientela import config
from tests.conftest import run_clientela

PRINT_KEY = [
    "shell",
    "--no-imports",
    "-c",
    "from django.conf import settings; print(settings.SECRET_KEY)",
]


def test_empty_data_folder_is_created_with_a_private_secret_key_reused_on_next_start(tmp_path):
    data_dir = tmp_path / "fresh" / "clientela"
    assert not data_dir.exists()

    first = run_clientela(data_dir, *PRINT_KEY)
    assert first.returncode == 0, first.stderr

    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for sub in ("uploads", "backups", "logs"):
        assert (data_dir / sub).is_dir()
    key = first.stdout.strip()
    assert len(key) >= 50
    assert key_file.read_text().strip() == key

    second = run_clientela(data_dir, *PRINT_KEY)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == key


def test_secret_key_from_the_environment_wins_and_writes_no_file(tmp_path):
    result = run_clientela(tmp_path, *PRINT_KEY, CLIENTELA_SECRET_KEY="k" * 20 + "from-env" * 5)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 20 + "from-env" * 5
    assert not (tmp_path / "secret_key").exists()


def test_a_bad_setting_is_reported_in_words_not_a_traceback(tmp_path):
    result = run_clientela(tmp_path, "check", CLIENTELA_DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode == 2
    assert "CLIENTELA_DATABASE_URL must start with sqlite:// or postgres://" in result.stderr
    assert "Traceback" not in result.stderr

    result = run_clientela(tmp_path, "check", CLIENTELA_DEBUG="maybe")
    assert result.returncode == 2
    assert "CLIENTELA_DEBUG must be true or false" in result.stderr


def test_default_database_is_an_sqlite_file_in_the_data_folder(tmp_path):
    db = config.database(tmp_path, url="")
    assert db.is_sqlite
    assert db.config["NAME"] == str(tmp_path / "clientela.sqlite3")


def test_postgres_url_selects_postgresql_through_psycopg(tmp_path):
    db = config.database(tmp_path, url="postgres://crm:secret@db.internal:5433/clientela")
    assert not db.is_sqlite
    assert db.config["ENGINE"] == "django.db.backends.postgresql"
    assert (db.config["HOST"], db.config["PORT"], db.config["NAME"]) == (
        "db.internal",
        5433,
        "clientela",
    )
    assert db.config["CONN_HEALTH_CHECKS"] is True


def read_pragmas(wrapper) -> dict[str, object]:
    with wrapper.cursor() as cursor:
        values = {}
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            cursor.execute(f"PRAGMA {name}")
            values[name] = cursor.fetchone()[0]
    return values


EXPECTED_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 1,
    "foreign_keys": 1,
    "busy_timeout": 20000,
}


def test_sqlite_connections_run_in_wal_with_foreign_keys_and_a_busy_timeout(
    tmp_path, django_db_blocker
):
    # A connection of its own to a new file, as a desktop install opens it.
    db = config.database(tmp_path, url="")
    settings_dict = {
        **db.config,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    wrapper = DatabaseWrapper(settings_dict, alias="pragma-check")
    with django_db_blocker.unblock():
        try:
            assert read_pragmas(wrapper) == EXPECTED_PRAGMAS
            assert wrapper.transaction_mode == "IMMEDIATE"
        finally:
            wrapper.close()


@pytest.mark.django_db
def test_the_running_sqlite_database_has_the_pragmas_in_force():
    if connection.vendor != "sqlite":
        pytest.skip("this run uses PostgreSQL")
    assert read_pragmas(connection) == EXPECTED_PRAGMAS


LOG_LINE = ["shell", "--no-imports", "-c", "import logging; logging.getLogger('x').warning('hi')"]


def test_desktop_mode_logs_to_a_file_in_the_data_folder(tmp_path):
    result = run_clientela(tmp_path, *LOG_LINE)
    assert result.returncode == 0, result.stderr
    assert "hi" not in result.stdout
    assert "WARNING x hi" in (tmp_path / "logs" / "clientela.log").read_text()


def test_server_mode_logs_to_stdout(tmp_path):
    result = run_clientela(
        tmp_path, *LOG_LINE, CLIENTELA_MODE="server", CLIENTELA_SECRET_KEY="s" * 60
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING x hi" in result.stdout
    log_file = tmp_path / "logs" / "clientela.log"
    assert not log_file.exists() or "hi" not in log_file.read_text()
