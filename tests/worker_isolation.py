"""Gives the tests a data folder of their own, and each pytest-xdist worker a folder within
it, before Django reads its settings.

Loaded with `-p` (pyproject.toml) because settings are read while pytest-django loads,
before any conftest runs. Every path under the data folder (uploads, backups, imports,
exports, logs, collected static files, the SQLite test database) is derived from
CLIENTELA_DATA_DIR there, so one variable set here keeps two workers' files apart.

The tests never use the installation's own data folder (the app's, in the user's home,
or CLIENTELA_DATA_DIR): each checkout gets one under the temporary folder, named after
its path, so two checkouts tested at once, or the app running beside the tests, never
share a test database file. CLIENTELA_TEST_DATA_DIR chooses another.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    chosen = os.environ.get("CLIENTELA_TEST_DATA_DIR", "").strip()
    if chosen:
        folder = Path(chosen).expanduser()
    else:
        checkout = str(Path(early_config.rootpath).resolve())
        digest = hashlib.sha256(checkout.encode()).hexdigest()[:12]
        folder = Path(tempfile.gettempdir()) / f"clientela-tests-{digest}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    os.environ["CLIENTELA_DATA_DIR"] = str(folder / f"test-{worker}" if worker else folder)

    # The test databases on PostgreSQL are thrown away after the run: a commit need not
    # wait for the server to flush it to disk (synchronous_commit=off loses, at worst, the
    # last commits of a crash, never consistency). Every transactional test commits and
    # empties the tables, so this is most of PostgreSQL's extra time over SQLite.
    url = os.environ.get("CLIENTELA_DATABASE_URL", "").strip()
    if url.startswith(("postgres://", "postgresql://")) and "?" not in url:
        os.environ["CLIENTELA_DATABASE_URL"] = f"{url}?options=-c%20synchronous_commit%3Doff"
