"""End to end: a real `clientela worker` picks the delivery job off the database queue,
the receiver on 127.0.0.1 fails the first attempt, the worker retries after the backoff."""

from __future__ import annotations

import pytest

from clientela.customers import services as customers
from clientela.users.services import create_user
from clientela.webhooks import services
from clientela.webhooks.models import Delivery, DeliveryStatus
from tests.conftest import clientela_env
from tests.jobs.conftest import Workers, test_database_url, wait_for
from tests.webhooks.test_delivery import Receiver, verify


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_after_a_failed_first_attempt(tmp_path):
    hook = Receiver([500])
    env = clientela_env(
        tmp_path / "data",
        CLIENTELA_DATABASE_URL=test_database_url(),
        CLIENTELA_JOBS_BACKEND="database",
        CLIENTELA_JOBS_POLL_SECONDS="0.2",
        CLIENTELA_WEBHOOK_BACKOFF_SECONDS="1",
    )
    workers = Workers(env, tmp_path)
    try:
        admin = create_user(email="admin@firma.ro", administrator=True)
        subscription = services.create_subscription(
            actor=admin, url=hook.url, events=["contact.created"]
        )
        customers.create_contact(actor=admin, data={"full_name": "Ion Popescu"})
        workers.start()
        delivery = wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first(),
            timeout=60,
            message=lambda: "the delivery to succeed:\n" + workers.output(),
        )
        assert delivery.attempts == 2 and delivery.response_code == 200
        assert len(hook.received) == 2
        assert verify(subscription.secret, *hook.received[-1])
    finally:
        workers.stop_all()
        hook.close()
