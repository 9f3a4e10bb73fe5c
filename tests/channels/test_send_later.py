"""Undo-send and scheduled send: the composer's e-mail waits in a job for a few seconds
(or until the time chosen) and can be taken back by its author until it leaves; the job
sends it once, and not at all once it was taken back."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.channels import sending
from clientela.channels.models import Message, OutgoingMail
from clientela.customers import services as customer_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def emily(user):
    return customer_services.quick_add_contact(
        actor=user, name="Emily Carter", email="emily@carter.co", company_name="Carter & Co"
    )


def _send(client, emily, account, **extra):
    return client.post(
        f"/mail/send/contact:{emily.pk}/",
        {"account": account.pk, "to": "emily@carter.co", "subject": "Quote",
         "body": "40 chairs", **extra},
    )  # fmt: skip


def test_an_email_waits_then_leaves_once_unless_taken_back(
    client, user, account, emily, smtp_server, settings
):
    settings.MAIL_UNDO_SECONDS = 10
    client.force_login(user)
    before = len(smtp_server[1].received)
    response = _send(client, emily, account)
    assert response.status_code == 302
    outgoing = OutgoingMail.objects.get()
    assert outgoing.status == "pending"
    delay = (outgoing.send_at - timezone.now()).total_seconds()
    assert 5 < delay <= 10
    job = DBTaskResult.objects.get(task_path="clientela.channels.tasks.send_outgoing")
    assert job.args_kwargs["args"] == [outgoing.pk] and job.run_after is not None
    page = client.get(emily.get_absolute_url())
    assert f'data-waiting-mail="{outgoing.pk}"'.encode() in page.content
    # Too early: the job leaves it waiting.
    assert sending.send_outgoing(outgoing.pk) is False
    # Taken back in time: the job sends nothing.
    assert client.post(f"/mail/outgoing/{outgoing.pk}/cancel/").status_code == 302
    OutgoingMail.objects.filter(pk=outgoing.pk).update(send_at=timezone.now())
    assert sending.send_outgoing(outgoing.pk) is False
    assert len(smtp_server[1].received) == before and not Message.objects.exists()
    # Another one, not taken back: sent when due, once.
    _send(client, emily, account)
    second = OutgoingMail.objects.exclude(pk=outgoing.pk).get()
    OutgoingMail.objects.filter(pk=second.pk).update(send_at=timezone.now())
    assert sending.send_outgoing(second.pk) is True
    assert sending.send_outgoing(second.pk) is False
    assert len(smtp_server[1].received) == before + 1
    second.refresh_from_db()
    assert second.status == "sent" and second.message.subject == "Quote"
    # Too late to take it back.
    client.post(f"/mail/outgoing/{second.pk}/cancel/")
    second.refresh_from_db()
    assert second.status == "sent"


def test_a_scheduled_email_leaves_at_its_time_and_only_its_author_takes_it_back(
    client, user, account, emily, make_user
):
    client.force_login(user)
    when = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    _send(client, emily, account, send_at=when.strftime("%Y-%m-%dT%H:%M"))
    outgoing = OutgoingMail.objects.get()
    assert outgoing.send_at == when
    job = DBTaskResult.objects.get(task_path="clientela.channels.tasks.send_outgoing")
    assert job.run_after == when
    past = _send(client, emily, account, send_at="2020-01-01T10:00")
    assert past.status_code == 302 and OutgoingMail.objects.count() == 1
    # Someone else cannot take it back.
    client.force_login(make_user(email="other@firma.ro"))
    assert client.post(f"/mail/outgoing/{outgoing.pk}/cancel/").status_code == 404
    outgoing.refresh_from_db()
    assert outgoing.status == "pending"
