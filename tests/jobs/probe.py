"""Jobs only the tests start (through CLIENTELA_JOBS_MODULES): they leave traces in files
so a test can count runs across worker processes."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model

from clientela import jobs
from clientela.notifications import services


def _trace(name: str) -> Path:
    return Path(os.environ["CLIENTELA_TEST_TRACE_DIR"]) / name


def _append(path: Path, line: str) -> int:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return len(path.read_text(encoding="utf-8").splitlines())


@jobs.job
def deliver_after_a_pause(user_id: int, key: str) -> None:
    attempts = _append(_trace(f"{key}.attempts"), str(os.getpid()))
    if attempts == 1:
        # The first attempt waits here for the test to kill its worker.
        time.sleep(60)
    user = get_user_model().objects.get(pk=user_id)
    services.notify(user, key=key, title="Delivered after a pause")


@jobs.periodic(every=timedelta(seconds=2))
@jobs.job
def tick() -> None:
    _append(_trace("ticks"), f"{time.time():.3f} {os.getpid()}")
