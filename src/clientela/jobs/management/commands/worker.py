"""`clientela worker`: run background jobs and the scheduler; start as many as needed."""

from __future__ import annotations

import contextlib
import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from clientela.core import startup
from clientela.jobs import worker


class Command(BaseCommand):
    help = (
        "Run background jobs (reminders, imports, backups…) and periodic jobs. "
        "Start one per CPU on as many machines as needed; stop with Ctrl+C or SIGTERM."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="Stop when this process (the `clientela run` that started us) is gone.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        # Until the queue library installs its own handlers, SIGTERM stops us like Ctrl+C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        worker_id = worker.new_worker_id()
        # A stop before the first job could be taken, during the tidying included, leaves
        # nothing to finish: the tidying is done again on the next start.
        with contextlib.suppress(KeyboardInterrupt):
            # What a process killed earlier left behind (the apps' start-up steps).
            for line in startup.run_all():
                self.stdout.write(line)
            self.stdout.write(
                f"Clientela worker {worker_id} processing jobs from the "
                f"{settings.JOBS_BACKEND} queue. Press Ctrl+C to stop."
            )
            self.stdout.flush()
            worker.run(worker_id=worker_id, parent_pid=options["parent_pid"])
        self.stdout.write(f"Clientela worker {worker_id} stopped.")
