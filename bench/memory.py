"""The process's resident memory, read from /proc/self/status and sampled on a thread while
a long call runs, so a benchmark can show its peak stays flat in the number of rows."""

from __future__ import annotations

import resource
import threading
from pathlib import Path

INTERVAL = 0.05  # seconds between samples


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def mib(kib: int) -> int:
    return round(kib / 1024)


class RssSampler:
    """`with RssSampler() as rss:` samples VmRSS every INTERVAL until the block ends;
    `rss.start`, `rss.peak` and `rss.end` are in KiB."""

    def __init__(self, interval: float = INTERVAL):
        self.interval = interval
        self.start = self.peak = self.end = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_kib())

    def __enter__(self) -> RssSampler:
        self.start = self.peak = rss_kib()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.end = rss_kib()
        self.peak = max(self.peak, self.end)

    def figures(self) -> dict:
        return {
            "rss_start_mib": mib(self.start),
            "rss_peak_mib": mib(self.peak),
            "rss_end_mib": mib(self.end),
            # Since the process started: includes Django's start-up and anything before.
            "maxrss_process_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
