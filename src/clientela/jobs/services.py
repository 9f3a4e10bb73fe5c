"""Every write of the job kernel: worker heartbeats, periodic claims, recovery and retries."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clientela.core import permissions
from clientela.jobs import queues
from clientela.jobs.interface import PeriodicJob, enqueue
from clientela.jobs.models import PeriodicClaim, WorkerHeartbeat

if TYPE_CHECKING:
    from clientela.users.models import User

logger = logging.getLogger(__name__)


def record_heartbeat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
            },
        )


def forget_worker(worker_id: str) -> None:
    """A worker stopping cleanly says so, and old entries of dead workers are dropped."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()


def live_workers() -> set[str]:
    since = timezone.now() - timedelta(seconds=settings.JOBS_WORKER_TIMEOUT)
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True)
    )


def leads(worker_id: str) -> bool:
    """Whether this worker runs the listeners: the live worker with the lowest id does (when
    it stops beating, the next one takes over within JOBS_WORKER_TIMEOUT)."""
    alive = live_workers()
    return bool(alive) and min(alive) == worker_id


def requeue_abandoned() -> list[str]:
    """Put back in the queue the jobs whose worker stopped beating: at-least-once delivery."""
    timeout = timedelta(seconds=settings.JOBS_WORKER_TIMEOUT)
    requeued = queues.current().requeue_abandoned(live_workers(), timezone.now() - timeout)
    for job_id in requeued:
        logger.warning("Job %s was held by a worker that stopped; it is queued again.", job_id)
    return requeued


def claim_period(periodic: PeriodicJob, slot: int, worker_id: str) -> bool:
    """Enqueue a periodic job for period `slot` unless another worker already did."""
    now = timezone.now()
    with transaction.atomic():
        # One conditional UPDATE decides: the database lets exactly one worker move the
        # claim forward to this period, however many try at the same moment.
        won = PeriodicClaim.objects.filter(name=periodic.name, slot__lt=slot).update(
            slot=slot, worker_id=worker_id, claimed_at=now
        )
        if not won:
            try:
                with transaction.atomic():
                    PeriodicClaim.objects.create(
                        name=periodic.name, slot=slot, worker_id=worker_id, claimed_at=now
                    )
                won = 1
            except IntegrityError:
                won = 0
        if won:
            # Only once the claim is committed: on Redis the job leaves the database's
            # transaction at once, so a claim whose commit failed (a busy SQLite file)
            # would otherwise run its period twice when the next tick claims it again.
            transaction.on_commit(lambda: enqueue(periodic.task))
    return bool(won)


def retry(*, actor: User, job_id: str) -> bool:
    """Queue a failed job again; only administrators may."""
    permissions.require(actor, "manage_settings")
    retried = queues.current().retry(job_id)
    if retried:
        logger.info("Job %s was queued again by %s.", job_id, actor)
    return retried
