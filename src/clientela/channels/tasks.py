"""Background jobs of the channels app: new mail fetched every few minutes."""

from datetime import timedelta

from clientela import jobs
from clientela.channels import services


@jobs.periodic(every=timedelta(minutes=5))
@jobs.job
def fetch_mail() -> None:
    services.fetch_all()
