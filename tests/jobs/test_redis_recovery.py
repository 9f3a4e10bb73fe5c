"""Recovery of jobs held by dead workers on Redis: a job is queued again once, and never
while a live worker is taking or running it (it would then run twice)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from clientela.jobs.queues import RedisQueue
from tests.jobs.conftest import REDIS_URL, redis_answers


class _Queues(RedisQueue):
    """The Redis queue of the product, on a test queue of its own."""

    def __init__(self, queue) -> None:
        self.queue = queue

    def _queues(self):
        return [self.queue]


@pytest.fixture
def rq_queue():
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)

    def clear():
        # Only this test's keys: its queue, jobs and workers are all named "recovery…".
        for key in connection.scan_iter("rq:*recovery*"):
            connection.delete(key)

    clear()
    yield Queue("recovery", connection=connection)
    clear()


def _enqueue(queue):
    return queue.enqueue("tests.jobs.probe.tick", job_id=f"recovery-{uuid4().hex}")


def _take(queue, worker_name: str, *, mark_started: bool):
    """What an RQ worker does with the next job: take it off the queue and record an
    execution under its name, then (a moment later) mark the job started."""
    from rq import SimpleWorker

    worker = SimpleWorker([queue], connection=queue.connection, name=f"recovery-{worker_name}")
    job, _ = worker.dequeue_job_and_maintain_ttl(timeout=1)
    worker.prepare_execution(job)
    if mark_started:
        worker.prepare_job_execution(job, remove_from_intermediate_queue=True)
    return job


def _later():
    # Every execution made by the test counts as older than the workers' timeout.
    return timezone.now() + timedelta(seconds=5)


def test_a_job_a_live_worker_is_taking_is_left_to_it_whatever_its_own_fields_say(rq_queue):
    job = _enqueue(rq_queue)
    _take(rq_queue, "live-worker", mark_started=False)
    # A reader can see the job's status already "started" while its worker and start
    # time are not written yet: RQ writes them in two steps.
    rq_queue.connection.hset(job.key, "status", "started")

    assert _Queues(rq_queue).requeue_abandoned({"recovery-live-worker"}, _later()) == []
    assert rq_queue.count == 0
    assert rq_queue.started_job_registry.get_job_ids(cleanup=False) == [job.id]


def test_a_job_a_live_worker_runs_is_left_to_it(rq_queue):
    job = _enqueue(rq_queue)
    _take(rq_queue, "live-worker", mark_started=True)

    assert _Queues(rq_queue).requeue_abandoned({"recovery-live-worker"}, _later()) == []
    # Not yet past the timeout: left even if its worker has not beaten yet.
    assert _Queues(rq_queue).requeue_abandoned(set(), timezone.now() - timedelta(minutes=1)) == []
    assert rq_queue.count == 0
    assert rq_queue.started_job_registry.get_job_ids(cleanup=False) == [job.id]


@pytest.mark.parametrize("mark_started", [True, False], ids=["started", "taken"])
def test_a_job_of_a_dead_worker_is_queued_again_once(rq_queue, mark_started):
    job = _enqueue(rq_queue)
    _take(rq_queue, "dead-worker", mark_started=mark_started)

    # Two live workers notice the dead one; only one puts the job back.
    first = _Queues(rq_queue).requeue_abandoned({"recovery-a", "recovery-b"}, _later())
    second = _Queues(rq_queue).requeue_abandoned({"recovery-a", "recovery-b"}, _later())

    assert first == [job.id]
    assert second == []
    assert rq_queue.get_job_ids() == [job.id]
    assert rq_queue.started_job_registry.get_job_ids(cleanup=False) == []
    # Nothing left in RQ's list of jobs being taken, which would fail it later, nor of the
    # abandoned execution.
    assert rq_queue.connection.lrange(rq_queue.intermediate_queue_key, 0, -1) == []
    assert job.execution_registry.get_execution_ids() == []


def test_a_job_whose_execution_record_expired_is_left_to_rqs_own_cleanup(rq_queue):
    job = _enqueue(rq_queue)
    _take(rq_queue, "dead-worker", mark_started=True)
    # Every worker was down for longer than the record's time to live: RQ's cleanup of
    # the registry retries or fails the job; recovering it here as well could run it twice.
    from rq.executions import Execution

    (execution_id,) = job.execution_registry.get_execution_ids()
    rq_queue.connection.delete(Execution(execution_id, job.id, rq_queue.connection).key)

    assert _Queues(rq_queue).requeue_abandoned(set(), _later()) == []
    assert rq_queue.count == 0
    assert rq_queue.started_job_registry.get_job_ids(cleanup=False) == [job.id]
