"""One job interface for every app: define, enqueue, schedule and repeat background jobs.

Apps write their jobs in their own `tasks.py`::

    from clientela import jobs

    @jobs.job
    def send_invoice(invoice_id: int) -> None:
        services.send_invoice(invoice_id)

    @jobs.periodic(every=timedelta(days=1))
    @jobs.job
    def purge_trash() -> None:
        services.purge_trash()

and start them with `jobs.enqueue(send_invoice, 42)` or
`jobs.schedule_at(when, send_invoice, 42)`. Jobs run at least once: a job whose
worker died is run again, so a job that sends or charges something must be
idempotent (record a delivery key in the same transaction as the effect).

A job runs for a while and ends; what must wait on the outside world for long (a mail
server's IDLE) is a listener, run on its own thread beside the jobs of one worker::

    @jobs.listener
    def watch_mailboxes(stopping: threading.Event) -> None:
        ...  # until stopping.is_set(), enqueueing jobs as things happen
"""

from clientela.jobs.interface import enqueue, job, listener, periodic, schedule_at

__all__ = ["enqueue", "job", "listener", "periodic", "schedule_at"]
