"""Background jobs of the channels app: new mail fetched every few minutes, and as soon as
it arrives from servers with IMAP IDLE (a listener beside the jobs), e-mail written
to go later (undo-send, scheduled send) sent when its time comes, replies sent through a
messenger's API, photos and documents received fetched from it, and snoozed
conversations brought back to the inbox."""

import threading
from datetime import timedelta

from clientela import jobs
from clientela.channels import idle, inbox, sending, services


@jobs.periodic(every=timedelta(minutes=5))
@jobs.job
def fetch_mail() -> None:
    services.fetch_all()


@jobs.job
def fetch_account_mail(account_id: int) -> None:
    """One account's new mail, when its server said it has some (IDLE)."""
    services.fetch_active_account(account_id)


@jobs.listener
def watch_mailboxes(stopping: threading.Event) -> None:
    idle.listen(stopping, lambda account_id: jobs.enqueue(fetch_account_mail, account_id))


@jobs.job
def send_outgoing(outgoing_id: int) -> None:
    sending.send_outgoing(outgoing_id)


@jobs.job
def deliver_message(message_id: int) -> None:
    inbox.deliver(message_id)


@jobs.job
def fetch_media(media_id: int) -> None:
    inbox.keep_media(media_id)


@jobs.job
def wake_conversation(conversation_id: int) -> None:
    inbox.wake(conversation_id)
