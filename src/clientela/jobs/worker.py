"""A worker process: the queue library's own worker loop, beside a scheduler thread.

The scheduler thread beats the worker's heartbeat, enqueues periodic jobs whose
period it wins, requeues jobs held by workers that stopped beating, and runs the apps'
listeners (`jobs.listener`) on threads of their own while this worker is the live one
with the lowest id. Jobs themselves are taken and run by django-tasks-db's or RQ's
worker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

from clientela.jobs import services
from clientela.jobs.interface import Listener, listeners, periodic_jobs

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{os.getpid()}-{get_random_string(12)}"


class Listening:
    """The apps' listeners, each on a thread of its own while `lead(True)` holds: one
    stopped by `lead(False)` (another worker leads now) or `stop()` (the worker stops),
    one that returned or failed started again on the next `lead(True)`."""

    RESTART_SECONDS = 5.0

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._started: dict[str, float] = {}

    def lead(self, leading: bool) -> None:
        if not leading:
            self.stop()
            return
        if self.stopping.is_set():
            self.join()
            self.stopping = threading.Event()
        now = time.monotonic()
        for name, function in listeners().items():
            thread = self._threads.get(name)
            if thread is not None and thread.is_alive():
                continue
            if now - self._started.get(name, -self.RESTART_SECONDS) < self.RESTART_SECONDS:
                continue  # one that keeps failing is not started in a loop
            thread = threading.Thread(
                target=_listen,
                args=(name, function, self.stopping),
                name=f"clientela-listener-{name.rsplit('.', 1)[-1]}",
                daemon=True,
            )
            self._threads[name], self._started[name] = thread, now
            logger.info("Listener %s started.", name)
            thread.start()

    def stop(self) -> None:
        self.stopping.set()

    def join(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = {n: t for n, t in self._threads.items() if t.is_alive()}


def _listen(name: str, function: Listener, stopping: threading.Event) -> None:
    try:
        function(stopping)
    except Exception:
        logger.exception("Listener %s failed; it is started again.", name)
    finally:
        connections.close_all()
    logger.info("Listener %s stopped.", name)


class Scheduler(threading.Thread):
    def __init__(self, worker_id: str, parent_pid: int | None = None) -> None:
        super().__init__(name="clientela-scheduler", daemon=True)
        self.worker_id = worker_id
        self.parent_pid = parent_pid
        self.stopping = threading.Event()
        self._claimed: dict[str, int] = {}
        self._last_beat = 0.0
        self._last_reap = 0.0
        self._last_lead = 0.0
        self.listening = Listening()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    self.tick(time.time())
                except Exception:
                    # A locked or unreachable database must not end the worker: next tick.
                    logger.exception("The job scheduler could not finish a round.")
                self.stopping.wait(settings.JOBS_TICK_SECONDS)
        finally:
            self.listening.stop()
            self.listening.join()
            try:
                services.forget_worker(self.worker_id)
            except Exception:
                logger.exception("Could not unregister worker %s.", self.worker_id)
            connections.close_all()

    def tick(self, now: float) -> None:
        if self.parent_pid and os.getppid() != self.parent_pid:
            # Started by `clientela run`, which is gone: stop like on Ctrl+C.
            logger.warning("The parent process stopped; the worker stops too.")
            os.kill(os.getpid(), signal.SIGTERM)
            self.stopping.set()
            return
        if now - self._last_beat >= settings.JOBS_HEARTBEAT_SECONDS:
            services.record_heartbeat(self.worker_id)
            self._last_beat = now
        for entry in periodic_jobs():
            slot = entry.slot(now)
            if self._claimed.get(entry.name, -1) >= slot:
                continue
            if services.claim_period(entry, slot, self.worker_id):
                logger.info("Periodic job %s enqueued for period %s.", entry.name, slot)
            self._claimed[entry.name] = slot
        if now - self._last_reap >= settings.JOBS_HEARTBEAT_SECONDS:
            services.requeue_abandoned()
            self._last_reap = now
        if listeners() and now - self._last_lead >= settings.JOBS_HEARTBEAT_SECONDS:
            # One worker listens: two would only enqueue the same jobs twice.
            self.listening.lead(services.leads(self.worker_id))
            self._last_lead = now


def run(*, worker_id: str, parent_pid: int | None = None) -> None:
    """Process jobs until SIGINT or SIGTERM; a job being run is finished first."""
    scheduler = Scheduler(worker_id, parent_pid)
    # The heartbeat is written before the first job is taken, so a new worker is never
    # mistaken for a dead one.
    services.record_heartbeat(worker_id)
    scheduler.start()
    try:
        if settings.JOBS_BACKEND == "database":
            _run_database_worker(worker_id)
        else:
            _run_redis_worker(worker_id)
    finally:
        scheduler.stopping.set()
        scheduler.join(timeout=10)


def _run_database_worker(worker_id: str) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=settings.JOBS_POLL_SECONDS,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as stop:
        # The library leaves with SystemExit on a signal; a clean stop is not an error.
        if stop.code not in (0, None):
            raise


def _run_redis_worker(worker_id: str) -> None:
    from rq import SimpleWorker

    from clientela.jobs.queues import RedisQueue

    job_queues = RedisQueue()._queues()
    # SimpleWorker runs each job in this process: a job's death is the worker's death,
    # which the heartbeat makes visible, instead of an orphaned forked work-horse.
    worker = SimpleWorker(
        job_queues,
        connection=job_queues[0].connection,
        name=worker_id,
        job_class=job_queues[0].job_class,
    )
    worker.work(with_scheduler=True, logging_level=settings.LOG_LEVEL)
