"""Real worker processes for the job tests, on the database queue and on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from tests.conftest import ROOT, clientela_env


def _worker_redis_url(base: str) -> str:
    """The base URL's database for a serial run; under pytest-xdist, worker gwN takes the
    database N numbers further, since the worker fixtures empty their database's queues."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return base
    parts = urlsplit(base)
    number = int(parts.path.strip("/") or 0) + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{number}"))


REDIS_URL = _worker_redis_url(
    os.environ.get("CLIENTELA_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
)


def redis_answers() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ResponseError as error:
        if "DB index" not in str(error):
            return False
        # The server answers but has no database with this number (more workers than it
        # has numbers after the base): a failure to see, not a reason to skip Redis tests.
        pytest.fail(f"Redis at {REDIS_URL}: {error} (lower CLIENTELA_TEST_REDIS_URL's number)")
    except redis.RedisError:
        return False
    return True


def test_database_url() -> str:
    """The URL of the database pytest-django set up, for worker processes to share it."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def wait_for(condition, *, timeout: float, message, every: float = 0.1):
    """Poll `condition` until it returns something true; fail with `message` at the deadline
    (a callable is called then, so it can show the workers' logs as they stand at the end)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"Timed out after {timeout}s: {message() if callable(message) else message}")


class Workers:
    """Starts `clientela worker` processes, each in a session of its own so that a kill
    takes the whole process (and RQ's scheduler child) like a machine dying."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", "worker"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def output(self) -> str:
        return "".join(path.read_text() for path in sorted(self.logs.glob("worker-*.log")))

    def shell(self, code: str) -> str:
        """Run Python in a `clientela shell` with the workers' settings (and queue)."""
        result = subprocess.run(
            [sys.executable, "-m", "clientela.cli", "shell", "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


@pytest.fixture(params=["database", "redis"])
def workers(request, transactional_db, tmp_path):
    backend = request.param
    extra = {}
    if backend == "redis":
        if not redis_answers():
            pytest.skip(f"Redis does not answer at {REDIS_URL}")
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        for pattern in ("rq:*", "clientela:*"):
            for key in connection.scan_iter(pattern):
                connection.delete(key)
        extra["CLIENTELA_REDIS_URL"] = REDIS_URL
    trace = tmp_path / "trace"
    trace.mkdir()
    env = clientela_env(
        tmp_path / "data",
        CLIENTELA_DATABASE_URL=test_database_url(),
        CLIENTELA_JOBS_BACKEND=backend,
        CLIENTELA_JOBS_MODULES="tests.jobs.probe",
        CLIENTELA_JOBS_POLL_SECONDS="0.2",
        CLIENTELA_JOBS_TICK_SECONDS="0.2",
        CLIENTELA_JOBS_HEARTBEAT_SECONDS="0.5",
        # Long enough that a worker starved of CPU or waiting on SQLite's write lock on a
        # loaded machine is not taken for dead (its running job would then run twice);
        # short enough that a killed one is replaced within the tests' waits.
        CLIENTELA_JOBS_WORKER_TIMEOUT="8",
        CLIENTELA_TEST_TRACE_DIR=str(trace),
        **extra,
    )
    pool = Workers(env, tmp_path)
    pool.backend = backend
    pool.trace = trace
    pool.data_dir = tmp_path / "data"
    yield pool
    pool.stop_all()
