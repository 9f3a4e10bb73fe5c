"""Background jobs of data in and out: the daily verified backup with retention, imports
checked, run and undone, and what stopped work left behind tidied."""

from __future__ import annotations

from datetime import timedelta

from clientela import jobs
from clientela.dataio.backups import backup


@jobs.periodic(every=timedelta(days=1))
@jobs.job
def daily_backup() -> None:
    backup.run_scheduled_backup()


@jobs.job
def run_import(run_id: int) -> None:
    """Run or resume an import; a worker that dies mid-way leaves whole batches only."""
    from django.conf import settings
    from django.utils import timezone

    from clientela.dataio.importing import services
    from clientela.dataio.models import ImportRun

    run = services.execute(run_id)
    if run.status == ImportRun.Status.RUNNING and not services.stalled(run):
        # Another process holds the run (or held it until a moment ago: a job the kernel
        # put back after its worker died comes here before the run counts as stopped).
        # Look again once it would count as stopped; a finished run ends the checks.
        jobs.schedule_at(
            timezone.now() + timedelta(seconds=settings.IMPORT_STALL_SECONDS), run_import, run_id
        )


@jobs.job
def undo_import(run_id: int, actor_id: int) -> None:
    from clientela.dataio.importing import services
    from clientela.dataio.models import ImportRun
    from clientela.users.models import User

    services.undo(actor=User.objects.get(pk=actor_id), run=ImportRun.objects.get(pk=run_id))


@jobs.job
def check_upload(run_id: int) -> None:
    """Read an uploaded file whole within the bounds, off the request that took it."""
    from clientela.dataio.importing import services

    services.check_upload(run_id)


@jobs.periodic(every=timedelta(minutes=5))
@jobs.job
def tidy_after_stopped_work() -> None:
    """Imports whose process ended are marked stopped; working copies of backups killed
    mid-way are removed (also done on every start of `clientela run` and every backup)."""
    from clientela.dataio import recovery

    recovery.tidy()
