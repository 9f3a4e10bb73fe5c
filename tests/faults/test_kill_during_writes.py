"""Faults during writes: the web server killed with SIGKILL while clients create contacts
through the API, and PostgreSQL crashed (stopped in "immediate" mode, as a power cut
leaves it) and restarted under the same load. After recovery every write the server
acknowledged is there whole (its e-mail, its search entry, its audit entry), and nothing
is there half-written."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.conftest import ROOT, clientela_env
from tests.e2e.test_first_start import free_port

# Both reach the run's database server by themselves (a database of their own on it, or
# a cluster of their own on the PostgreSQL pass): run on each pass.
pytestmark = pytest.mark.each_database

PASSWORD = "Munte-Albastru-2026"
WRITERS = 4
PG_BIN = (
    Path("/usr/lib/postgresql")
    / (
        sorted(os.listdir("/usr/lib/postgresql"))[-1]
        if Path("/usr/lib/postgresql").is_dir()
        else "x"
    )
    / "bin"
)


class Server:
    """`clientela run` in a data folder of its own, started, killed and started again."""

    def __init__(self, data_dir: Path, **env: str):
        self.port = free_port()
        self.env = clientela_env(
            data_dir,
            CLIENTELA_ADMIN_PASSWORD=PASSWORD,
            # The clients write as fast as the server answers: the limit is not under test.
            CLIENTELA_API_RATE_PER_MINUTE="1000000",
            PYTHONFAULTHANDLER="1",
            **env,
        )
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "clientela.cli",
                    "run",
                    "--port",
                    str(self.port),
                    "--no-worker",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 240  # a first start migrates a new database
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("`clientela run` stopped:\n" + self.log.read_text())
            try:
                self.request("GET", "/healthz")
                return
            except OSError:
                time.sleep(0.5)
        pytest.fail("`clientela run` did not answer:\n" + self.log.read_text())

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def token(self) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "clientela.cli",
                "token",
                "create",
                "--user",
                "admin@example.com",
                "--scope",
                "contacts:read,contacts:write",
            ],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return re.search(r"clt_\S+", result.stdout).group(0)

    def request(self, method: str, path: str, body=None, token: str = "", timeout: float = 10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


class Writers:
    """Clients creating contacts as fast as the server answers; each remembers the contacts
    the server acknowledged (201 with an id) and counts what it attempted."""

    def __init__(self, server: Server, token: str):
        self.server, self.token = server, token
        self.acknowledged: dict[int, str] = {}
        self.attempted = 0
        self.refused: list[tuple[int, bytes]] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, daemon=True) for _ in range(WRITERS)]

    def _write(self) -> None:
        while not self.stopping.is_set():
            mark = uuid.uuid4().hex[:12]
            body = {"full_name": f"Fault {mark}", "emails": [{"address": f"{mark}@fault.ro"}]}
            with self.lock:
                self.attempted += 1
            try:
                status, content = self.server.request(
                    "POST", "/api/v1/contacts/", body, self.token, timeout=5
                )
            except OSError:
                time.sleep(0.05)  # the server is down or the connection was cut
                continue
            if status == 201:
                with self.lock:
                    self.acknowledged[json.loads(content)["id"]] = mark
            elif status < 500:
                self.refused.append((status, content))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.acknowledged) >= count, f"only {len(self.acknowledged)} writes answered"


def check_whole(server: Server, token: str, writers: Writers) -> None:
    """Every acknowledged contact is there with its e-mail and found by search; every
    contact there (acknowledged or cut off before its answer) is whole."""
    assert not writers.refused, writers.refused[:3]
    assert writers.acknowledged
    for contact_id, mark in writers.acknowledged.items():
        status, content = server.request("GET", f"/api/v1/contacts/{contact_id}", token=token)
        assert status == 200, (contact_id, status, content[:200])
        contact = json.loads(content)
        assert contact["full_name"] == f"Fault {mark}"
        assert [e["address"] for e in contact["emails"]] == [f"{mark}@fault.ro"]
    stored = {}
    path = "/api/v1/contacts/?limit=200"
    while path:
        status, content = server.request("GET", path, token=token)
        assert status == 200, content[:200]
        page = json.loads(content)
        for item in page["items"]:
            stored[item["id"]] = item
        cursor = page.get("next_cursor")
        path = f"/api/v1/contacts/?limit=200&cursor={quote(cursor)}" if cursor else ""
    assert set(writers.acknowledged) <= set(stored)
    assert len(stored) <= writers.attempted
    for item in stored.values():
        mark = item["full_name"].removeprefix("Fault ")
        assert [e["address"] for e in item["emails"]] == [f"{mark}@fault.ro"], item
        # Its search entry was written in the same transaction: search finds it by e-mail.
        status, content = server.request(
            "GET", f"/api/v1/contacts/?q={mark}%40fault.ro", token=token
        )
        assert [found["id"] for found in json.loads(content)["items"]] == [item["id"]]


@pytest.fixture
def database_url():
    """On the PostgreSQL run, a database of its own on the same server; SQLite otherwise."""
    if connection.vendor != "postgresql":
        yield None
        return
    settings = connection.settings_dict
    name = f"clientela_fault_{uuid.uuid4().hex[:8]}"
    admin_url = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_web_server_killed_mid_writes_loses_no_acknowledged_write(tmp_path, database_url):
    extra = {"CLIENTELA_DATABASE_URL": database_url} if database_url else {}
    server = Server(tmp_path / "data", **extra)
    try:
        server.start()
        token = server.token()
        with Writers(server, token) as writers:
            writers.wait_for(40)
            server.kill()  # SIGKILL: requests in flight are cut, nothing of ours runs
            killed_at = len(writers.acknowledged)
            server.start()
            writers.wait_for(killed_at + 20)
        check_whole(server, token, writers)
    finally:
        server.stop()


class PrivateCluster:
    """A PostgreSQL cluster of this test's own (initdb in a temporary folder, its own
    port), so that crashing it disturbs no one else."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="clientela-pg-"))
        shutil.chown(self.folder, "postgres")
        self.data = self.folder / "data"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120
        )

    def create(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres"
        )
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute('CREATE DATABASE "clientela"')

    def start(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "start",
        )

    def crash(self) -> None:
        # "immediate": every server process quits at once, without a checkpoint; the next
        # start recovers from the write-ahead log, as after a power cut.
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str = "clientela") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def test_postgresql_crashed_mid_writes_loses_no_acknowledged_write(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("run on the PostgreSQL pass of the test command")
    if os.geteuid() != 0 or not shutil.which("runuser") or not (PG_BIN / "initdb").exists():
        pytest.skip("needs root and PostgreSQL's server binaries to start a cluster of its own")
    cluster = PrivateCluster()
    server = Server(tmp_path / "data", CLIENTELA_DATABASE_URL=cluster.url())
    try:
        cluster.create()
        server.start()
        token = server.token()
        with Writers(server, token) as writers:
            writers.wait_for(40)
            cluster.crash()
            crashed_at = len(writers.acknowledged)
            time.sleep(1)  # writes meet a database that is gone: errors, not answers
            cluster.start()
            # The same web server, which outlived its database, writes again.
            writers.wait_for(crashed_at + 20)
        check_whole(server, token, writers)
    finally:
        server.stop()
        cluster.remove()
