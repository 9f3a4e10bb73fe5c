"""`clientela run` on a desktop also runs a worker, and Ctrl+C stops both."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, clientela_env
from tests.e2e.test_first_start import free_port
from tests.jobs.conftest import wait_for


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_run_starts_a_worker_and_ctrl_c_stops_both(tmp_path):
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", "run", "--port", str(free_port())],
            env=clientela_env(
                tmp_path / "data",
                CLIENTELA_ADMIN_PASSWORD="Munte-Albastru-2026",
                PYTHONFAULTHANDLER="1",
            ),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As in a terminal: Ctrl+C interrupts. A test run started in the background
            # (`scripts/test &`) ignores SIGINT, and a child inherits that: the app would
            # rightly keep running, as a background job should.
            preexec_fn=_interruptible,
        )
    try:
        wait_for(
            lambda: "processing jobs from the database queue" in log.read_text(),
            # A first start migrates a new database: over a minute on a loaded 2-core machine.
            timeout=180,
            message=lambda: "the worker of `clientela run` to start:\n" + log.read_text(),
        )
        # Ctrl+C in a terminal signals the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        # The worker finishes the job in hand first: on a first start that is the daily
        # backup with its verification (a scratch database migrated), which takes up to a
        # minute or more on a loaded 2-core machine.
        try:
            process.wait(timeout=150)
        except subprocess.TimeoutExpired:
            # Where it is stuck: faulthandler prints every thread's stack on SIGABRT.
            os.kill(process.pid, signal.SIGABRT)
            time.sleep(2)
            pytest.fail("`clientela run` still running 150 s after Ctrl+C:\n" + log.read_text())
        wait_for(
            lambda: re.search(r"Clientela worker \S+ stopped\.", log.read_text()),
            timeout=30,
            message=lambda: "the worker to stop:\n" + log.read_text(),
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Clientela is running at" in log.read_text()
    assert "Clientela stopped." in log.read_text() and "Traceback" not in log.read_text()
