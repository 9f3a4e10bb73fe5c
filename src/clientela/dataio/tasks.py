"""Background jobs of data safety: the daily verified backup with retention."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.dataio import backup


@jobs.periodic(every=timedelta(days=1))
@jobs.job
def daily_backup() -> None:
    backup.run_scheduled_backup()


@jobs.job
def run_import(run_id: int) -> None:
    """Run or resume an import; a worker that dies mid-way leaves whole batches only."""
    from clientela.dataio.importing import services

    services.execute(run_id)


@jobs.job
def undo_import(run_id: int, actor_id: int) -> None:
    from clientela.dataio.importing import services
    from clientela.dataio.models import ImportRun
    from clientela.users.models import User

    services.undo(actor=User.objects.get(pk=actor_id), run=ImportRun.objects.get(pk=run_id))
