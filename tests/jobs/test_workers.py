"""The issue's done-when checks, with real `clientela worker` processes on each queue."""

from __future__ import annotations

import re

from django.utils import timezone

from clientela.jobs.models import WorkerHeartbeat
from clientela.notifications.models import Notification
from tests.jobs.conftest import wait_for


def test_a_reminder_due_in_two_seconds_is_delivered_exactly_once(workers, user):
    workers.start()
    workers.start()
    wait_for(
        lambda: WorkerHeartbeat.objects.count() == 2,
        timeout=30,
        message=lambda: "two workers to start:\n" + workers.output(),
    )

    scheduled_at = timezone.now()
    workers.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from clientela.users.models import User\n"
        "from clientela.notifications.services import schedule_reminder\n"
        f"schedule_reminder(user=User.objects.get(pk={user.pk}), "
        "when=timezone.now() + timedelta(seconds=2), key='task:1:reminder', "
        "title='Call Ștefan back', url='/')\n"
    )

    notification = wait_for(
        lambda: Notification.objects.filter(key="task:1:reminder").first(),
        timeout=20,
        message=lambda: "the reminder to be delivered:\n" + workers.output(),
    )
    assert notification.user == user
    assert notification.title == "Call Ștefan back"
    assert notification.read_at is None
    # Not before it was due (two seconds after it was scheduled), and not much after.
    delay = (notification.created - scheduled_at).total_seconds()
    assert 2 <= delay < 12
    assert notification.emailed_at is not None

    workers.stop_all()
    assert Notification.objects.filter(user=user).count() == 1
    # The console mail backend prints each e-mail to the worker's output: one e-mail.
    output = workers.output()
    assert output.count(f"To: {user.email}") == 1, output
    assert output.count("Subject: =?utf-8?q?Call_=C8=98tefan_back?=") == 1, output


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_with_one_effect(workers, user):
    first = workers.start()
    workers.shell(
        "from clientela import jobs\n"
        "from tests.jobs.probe import deliver_after_a_pause\n"
        f"jobs.enqueue(deliver_after_a_pause, {user.pk}, 'import:7:done')\n"
    )
    attempts = workers.trace / "import:7:done.attempts"
    wait_for(attempts.exists, timeout=20, message=lambda: "the job to start:\n" + workers.output())

    workers.kill(first)
    assert not Notification.objects.exists()
    workers.start()

    wait_for(
        lambda: Notification.objects.filter(key="import:7:done").exists(),
        timeout=30,
        message=lambda: "the replacement worker to finish the job:\n" + workers.output(),
    )
    lines = attempts.read_text().splitlines()
    assert len(lines) == 2, "the job ran once in the killed worker and once in its replacement"
    assert lines[0] != lines[1]
    assert Notification.objects.filter(user=user).count() == 1


def test_with_two_workers_a_periodic_job_runs_once_per_period(workers):
    workers.start()
    workers.start()
    ticks = workers.trace / "ticks"
    wait_for(
        lambda: ticks.exists() and len(ticks.read_text().splitlines()) >= 4,
        timeout=30,
        message=lambda: "four periods of the 2-second job:\n" + workers.output(),
    )
    assert WorkerHeartbeat.objects.count() == 2
    workers.stop_all()

    # Each worker logs the periods it won; both log to the data folder's one log file.
    log = (workers.data_dir / "logs" / "clientela.log").read_text()
    claimed = [
        int(period)
        for period in re.findall(r"tests\.jobs\.probe\.tick enqueued for period (\d+)", log)
    ]
    ran = ticks.read_text().splitlines()
    # Periods claimed while the workers were stopping are still in the queue, not run.
    waiting = int(
        workers.shell(
            "from clientela.jobs import selectors\n"
            "print(sum(1 for job in selectors.board().queued if job.name.endswith('tick')))\n"
        ).split()[-1]
    )
    # Exactly one enqueue per 2-second period, however many workers competed for it,
    # periods one after the other, and each enqueued run ran once or is still waiting.
    assert len(claimed) == len(set(claimed)), claimed
    assert claimed == list(range(claimed[0], claimed[0] + len(claimed))), claimed
    assert len(ran) + waiting == len(claimed), (claimed, ran, waiting)
