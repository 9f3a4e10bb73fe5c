"""The two queues jobs live in, behind one face: the database (django-tasks-db) or Redis (RQ).

The Jobs page lists through `board()`, a retry goes through `retry()`, and the
kernel's recovery of jobs held by dead workers through `requeue_abandoned()`; each
queue implements them with its library's own records, never with a copy of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

LISTED = 50  # rows per section of the Jobs page


@dataclass(frozen=True)
class JobRow:
    id: str
    name: str
    status: str  # queued, scheduled, running, failed
    enqueued_at: datetime | None = None
    run_after: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker: str = ""
    error: str = ""
    attempts: int = 1


@dataclass
class Board:
    queued: list[JobRow] = field(default_factory=list)
    running: list[JobRow] = field(default_factory=list)
    failed: list[JobRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _short_name(path: str) -> str:
    # "clientela.notifications.tasks.deliver_reminder" reads as "notifications: deliver reminder"
    parts = path.split(".")
    app = parts[1] if len(parts) > 2 and parts[0] == "clientela" else parts[0]
    return f"{app}: {parts[-1].replace('_', ' ')}"


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class DatabaseQueue:
    """django-tasks-db: one row per job in the database, claimed with a row lock."""

    def board(self) -> Board:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        rows = DBTaskResult.objects.all()
        never = get_date_max()

        def row(result: DBTaskResult, status: str) -> JobRow:
            return JobRow(
                id=str(result.id),
                name=_short_name(result.task_path),
                status=status,
                enqueued_at=result.enqueued_at,
                run_after=None if result.run_after == never else result.run_after,
                started_at=result.started_at,
                finished_at=result.finished_at,
                worker=result.worker_ids[-1] if result.worker_ids else "",
                error=_last_line(result.traceback),
                attempts=max(len(result.worker_ids), 1),
            )

        now = timezone.now()
        ready = rows.filter(status=TaskResultStatus.READY).order_by("run_after", "enqueued_at")
        running = rows.filter(status=TaskResultStatus.RUNNING).order_by("started_at")
        failed = rows.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")
        return Board(
            queued=[
                row(r, "scheduled" if r.run_after != never and r.run_after > now else "queued")
                for r in ready[:LISTED]
            ],
            running=[row(r, "running") for r in running[:LISTED]],
            failed=[row(r, "failed") for r in failed[:LISTED]],
            counts={"queued": ready.count(), "running": running.count(), "failed": failed.count()},
        )

    def retry(self, job_id: str) -> bool:
        from django.core.exceptions import ValidationError
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        try:
            updated = DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.FAILED).update(
                status=TaskResultStatus.READY,
                run_after=timezone.now(),
                started_at=None,
                finished_at=None,
            )
        except ValidationError:
            return False
        return updated == 1

    def requeue_abandoned(self, live_workers: set[str], older_than: datetime) -> list[str]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        requeued = []
        running = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=older_than
        ).only("id", "worker_ids", "started_at")
        for result in running:
            holder = result.worker_ids[-1] if result.worker_ids else ""
            if holder in live_workers:
                continue
            # Conditional on the start time: if another worker re-claimed it meanwhile,
            # this update matches nothing and the job is left to that worker.
            if DBTaskResult.objects.filter(
                id=result.id, status=TaskResultStatus.RUNNING, started_at=result.started_at
            ).update(status=TaskResultStatus.READY, started_at=None):
                requeued.append(str(result.id))
        return requeued


class RedisQueue:
    """RQ on Redis: queued, scheduled, started and failed jobs are RQ's own registries."""

    def _queues(self) -> list[Any]:
        import django_rq
        from django_tasks_rq.backend import Job

        return [django_rq.get_queue(name, job_class=Job) for name in settings.RQ_QUEUES]

    def board(self) -> Board:
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        board = Board(counts={"queued": 0, "running": 0, "failed": 0})
        for queue in self._queues():
            job_class = queue.job_class
            scheduled = ScheduledJobRegistry(queue=queue)
            started = StartedJobRegistry(queue=queue)
            failed = FailedJobRegistry(queue=queue)
            board.counts["queued"] += queue.count + scheduled.count
            board.counts["running"] += started.count
            board.counts["failed"] += failed.count
            for job in queue.get_jobs(0, LISTED - 1):
                board.queued.append(self._row(job, "queued"))
            for job in job_class.fetch_many(scheduled.get_job_ids(0, LISTED - 1), queue.connection):
                if job is not None:
                    board.queued.append(self._row(job, "scheduled", scheduled=scheduled))
            for job in job_class.fetch_many(started.get_job_ids(0, LISTED - 1), queue.connection):
                if job is not None:
                    board.running.append(self._row(job, "running"))
            failed_ids = failed.get_job_ids(0, LISTED - 1, desc=True)
            for job in job_class.fetch_many(failed_ids, queue.connection):
                if job is not None:
                    board.failed.append(self._row(job, "failed"))
        return board

    def _row(self, job: Any, status: str, scheduled: Any = None) -> JobRow:
        error = ""
        if status == "failed":
            result = job.latest_result()
            error = _last_line(result.exc_string if result is not None else "")
        return JobRow(
            id=job.id,
            name=_short_name(job.func_name),
            status=status,
            enqueued_at=job.enqueued_at,
            run_after=scheduled.get_scheduled_time(job) if scheduled is not None else None,
            started_at=job.started_at,
            finished_at=job.ended_at,
            worker=job.worker_name or "",
            error=error,
            # Ids only: a record past its time to live is gone while its id stays a minute.
            attempts=max(len(job.execution_registry.get_execution_ids()), 1)
            if status == "running"
            else 1,
        )

    def retry(self, job_id: str) -> bool:
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.registry import FailedJobRegistry

        for queue in self._queues():
            registry = FailedJobRegistry(queue=queue)
            try:
                registry.requeue(job_id)
            except (InvalidJobOperation, NoSuchJobError):
                continue
            return True
        return False

    def requeue_abandoned(self, live_workers: set[str], older_than: datetime) -> list[str]:
        from rq.executions import Execution
        from rq.job import JobStatus
        from rq.registry import StartedJobRegistry

        # Taken by a worker that died before marking it started, a job waits too.
        held = (JobStatus.STARTED, JobStatus.QUEUED)
        requeued = []
        for queue in self._queues():
            connection = queue.connection
            registry = StartedJobRegistry(queue=queue)
            entries = registry.get_job_and_execution_ids(cleanup=False)
            for job_id, execution_id in entries:
                # The holder is the execution's worker, written in the same Redis
                # transaction that put the entry here. The job's own fields are filled
                # in a moment later: read in between, they show a started job with no
                # worker and no start, which must not pass for an abandoned one.
                try:
                    execution = Execution.fetch(execution_id, job_id, connection)
                except ValueError:
                    # Its record outlived its time to live (every worker was down for
                    # minutes): RQ's own cleanup of the registry retries or fails the job,
                    # which the Jobs page shows; doing it here too could run it twice.
                    continue
                if execution.worker_name in live_workers or execution.created_at > older_than:
                    continue
                job = queue.job_class.fetch_many([job_id], connection)[0]
                if job is None or job.get_status(refresh=False) not in held:
                    continue
                entry = f"{job_id}:{execution_id}"
                score = connection.zscore(registry.key, entry)
                # Two workers may notice the same dead worker: the one whose removal of
                # the entry counts requeues it.
                if score is None or not connection.zrem(registry.key, entry):
                    continue
                try:
                    with connection.pipeline() as pipeline:
                        queue.enqueue_job(job, pipeline=pipeline)
                        execution.delete(job=job, pipeline=pipeline)
                        stale = [
                            f"{job_id}:{e}" for j, e in entries if j == job_id and e != execution_id
                        ]
                        if stale:
                            pipeline.zrem(registry.key, *stale)
                        # A job taken but never marked started is still in RQ's list of
                        # jobs being taken, which would otherwise fail it a minute later.
                        pipeline.lrem(queue.intermediate_queue_key, 1, job_id)
                        pipeline.execute()
                except Exception:
                    connection.zadd(registry.key, {entry: score})  # for the next round
                    raise
                requeued.append(job_id)
        return requeued


def current() -> DatabaseQueue | RedisQueue:
    return DatabaseQueue() if settings.JOBS_BACKEND == "database" else RedisQueue()
