"""Every read of the job kernel: what the Jobs page shows."""

from __future__ import annotations

from clientela.jobs import queues
from clientela.jobs.models import WorkerHeartbeat
from clientela.jobs.services import live_workers


def board() -> queues.Board:
    return queues.current().board()


def workers() -> list[WorkerHeartbeat]:
    alive = live_workers()
    return [w for w in WorkerHeartbeat.objects.order_by("started_at") if w.worker_id in alive]


def backend_label() -> str:
    from django.conf import settings
    from django.utils.translation import gettext as _

    return _("Redis") if settings.JOBS_BACKEND == "redis" else _("the database")
