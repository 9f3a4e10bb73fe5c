"""Background jobs of the channels app: new mail fetched every few minutes, and e-mail
written to go later (undo-send, scheduled send) sent when its time comes."""

from datetime import timedelta

from clientela import jobs
from clientela.channels import services


@jobs.periodic(every=timedelta(minutes=5))
@jobs.job
def fetch_mail() -> None:
    services.fetch_all()


@jobs.job
def send_outgoing(outgoing_id: int) -> None:
    services.send_outgoing(outgoing_id)
