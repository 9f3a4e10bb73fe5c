"""The daily jobs that keep data safe are registered once the apps are loaded."""

from datetime import timedelta

from clientela.jobs.interface import periodic_jobs


def test_daily_backup_and_trash_purge_are_scheduled():
    daily = {job.name: job.every for job in periodic_jobs()}
    assert daily["clientela.dataio.tasks.daily_backup"] == timedelta(days=1)
    assert daily["clientela.customers.tasks.purge_expired_trash"] == timedelta(days=1)
