"""Gives each pytest-xdist worker a data folder of its own before Django reads its settings.

Loaded with `-p` (pyproject.toml) because settings are read while pytest-django loads,
before any conftest runs. Every path under the data folder (uploads, backups, imports,
exports, logs, collected static files, the SQLite test database) is derived from
CLIENTELA_DATA_DIR there, so one variable set here keeps two workers' files apart.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from clientela import config

    os.environ["CLIENTELA_DATA_DIR"] = str(config.data_dir() / f"test-{worker}")
