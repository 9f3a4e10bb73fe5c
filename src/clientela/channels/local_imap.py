"""A local IMAP server for the e-mail tests and the mail benchmark: pymap (a development
dependency) in memory, in its own process, on a free port; the product never starts one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_SECONDS = 15  # a loaded machine starts it in a few seconds at the most


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def pymap_server(user: str, password: str) -> Iterator[int]:
    """A pymap IMAP server holding one mailbox (`user`, `password`) for the length of the
    block: yields its port on 127.0.0.1 once it answers, stops it afterwards."""
    port = free_port()
    pymap = shutil.which("pymap") or str(Path(sys.executable).parent / "pymap")
    process = subprocess.Popen(
        [pymap, "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict",
         "--demo-user", user, "--demo-password", password],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the IMAP server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: stop it the hard way
            process.kill()
            process.wait()
