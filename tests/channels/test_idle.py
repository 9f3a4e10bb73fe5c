"""New mail as it arrives (IMAP IDLE) against the local IMAP server: a message appended
while an account's inbox is idled on asks for that account's fetch within seconds, a burst
asks once, a lost connection is opened again (and what came meanwhile fetched), a server
without IDLE is left to the period, and a stop ends it all. Then the same through a real
`clientela worker`: the message is on the timeline without waiting for the period."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings

from clientela.channels import idle, services, transport
from clientela.channels.models import MailAccount, Message
from clientela.customers import services as customer_services
from tests.jobs.conftest import wait_for, workers  # noqa: F401 (a fixture)
from tests.mail_servers import raw_mail

pytestmark = pytest.mark.django_db


class Calls:
    """What the watchers asked for: the ids of the accounts to fetch, as they came."""

    def __init__(self):
        self.ids: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, account_id: int) -> None:
        with self.lock:
            self.ids.append(account_id)

    def count(self) -> int:
        with self.lock:
            return len(self.ids)


@pytest.fixture
def watch(account):
    """Start a watcher on the test account; every one started is stopped afterwards."""
    started: list[idle.Watcher] = []

    def start(on_new_mail) -> idle.Watcher:
        watcher = idle.Watcher(account, on_new_mail)
        started.append(watcher)
        watcher.start()
        return watcher

    yield start
    for watcher in started:
        watcher.stop()
    for watcher in started:
        watcher.join(10)


def _idling(watcher: idle.Watcher) -> None:
    assert watcher.idling.wait(20), "the watcher should be idling on the inbox"


def test_a_message_appended_while_idling_asks_for_its_account_fetch_at_once(
    account, mailbox, watch, monkeypatch
):
    monkeypatch.setattr(idle, "SETTLE_SECONDS", idle.SETTLE_SECONDS)
    calls = Calls()
    watcher = watch(calls)
    _idling(watcher)
    assert calls.count() == 0  # nothing new yet
    mailbox.deliver(raw_mail())
    wait_for(lambda: calls.count() == 1, timeout=10, message="a fetch for the new message")
    assert calls.ids == [account.pk]
    # A burst of deliveries, each within SETTLE_SECONDS of the one before, asks once.
    idle.SETTLE_SECONDS = 3.0
    client = mailbox.client()
    for n in range(3):
        assert client.append(mailbox.inbox, None, None, raw_mail(message_id=f"<b{n}@c.co>"))
    client.logout()
    wait_for(lambda: calls.count() >= 2, timeout=15, message="a fetch for the burst")
    time.sleep(3.5)
    assert calls.count() == 2
    # Stopping ends the watcher within a moment, IDLE ended and logged out.
    started = time.monotonic()
    watcher.stop()
    watcher.join(10)
    assert not watcher.is_alive() and time.monotonic() - started < 5
    assert not watcher.idling.is_set()


def test_a_lost_connection_is_opened_again_and_what_came_meanwhile_fetched(
    account, mailbox, watch, monkeypatch
):
    monkeypatch.setattr(idle, "MAX_BACKOFF_SECONDS", 1.0)
    clients = []
    connect = transport.connect_imap

    def recorded(account):
        client = connect(account)
        clients.append(client)
        return client

    monkeypatch.setattr(transport, "connect_imap", recorded)
    calls = Calls()
    watcher = watch(calls)
    _idling(watcher)
    # The connection dies (a server restart, a network change) while mail comes.
    watcher.idling.clear()
    clients[0].shutdown()
    mailbox.deliver(raw_mail())
    wait_for(lambda: len(clients) == 2, timeout=20, message="a second connection")
    _idling(watcher)
    # On the new connection, one fetch for what may have come while it was down.
    wait_for(lambda: calls.count() == 1, timeout=10, message="a fetch after reconnecting")
    mailbox.deliver(raw_mail(message_id="<after@carter.co>"))
    wait_for(lambda: calls.count() == 2, timeout=10, message="a fetch on the new connection")
    assert calls.ids == [account.pk, account.pk]


def test_a_server_refusing_the_login_is_tried_again_later_and_later(account, watch, monkeypatch):
    monkeypatch.setattr(idle, "MAX_BACKOFF_SECONDS", 2.0)
    tries: list[float] = []

    def refused(account):
        tries.append(time.monotonic())
        raise transport.MailServerError("authentication failed")

    monkeypatch.setattr(transport, "connect_imap", refused)
    watcher = watch(Calls())
    wait_for(lambda: len(tries) >= 3, timeout=15, message="three tries")
    assert watcher.failures >= 3
    # 1 s after the first failure, then 2 s (the longest wait, here).
    assert tries[1] - tries[0] >= 0.9 and tries[2] - tries[1] >= 1.9


def test_a_server_without_idle_is_left_to_the_period(account, mailbox, watch, monkeypatch):
    monkeypatch.setattr(transport, "supports_idle", lambda client: False)
    calls = Calls()
    watcher = watch(calls)
    time.sleep(2)
    assert watcher.is_alive() and not watcher.idling.is_set()
    mailbox.deliver(raw_mail())
    time.sleep(1.5)
    assert calls.count() == 0
    # The period's fetch still reads it.
    assert services.fetch_account(account) == 1
    watcher.stop()
    watcher.join(5)
    assert not watcher.is_alive()


def test_the_watchers_follow_the_accounts(account, mailbox):
    watchers = idle.Watchers(Calls())
    try:
        watchers.refresh()
        (first,) = [w for _s, w in watchers.watching.values()]
        _idling(first)
        # Another folder: a new connection on it.
        MailAccount.objects.filter(pk=account.pk).update(inbox_folder=mailbox.sent)
        watchers.refresh()
        (second,) = [w for _s, w in watchers.watching.values()]
        assert second is not first and first.stopping.is_set()
        _idling(second)
        # Switched off: no connection.
        MailAccount.objects.filter(pk=account.pk).update(is_active=False)
        watchers.refresh()
        assert watchers.watching == {}
        second.join(10)
        assert not second.is_alive()
    finally:
        watchers.stop()


def test_a_worker_fetches_a_message_appended_while_idling_without_waiting_for_the_period(
    workers,  # noqa: F811 (the fixture imported above)
    account,
    mailbox,
    mail_admin,
):
    customer_services.quick_add_contact(
        actor=mail_admin, name="Emily Carter", email="emily@carter.co", company_name="Carter"
    )
    log = workers.data_dir / "logs" / "clientela.log"

    def logged() -> str:
        return log.read_text() if log.exists() else ""

    # The worker reads the account's password with the same key it was encrypted with.
    workers.env["CLIENTELA_SECRET_KEY"] = settings.SECRET_KEY
    workers.start()
    # The worker's first period fetches the (empty) inbox; then its listener idles.
    wait_for(
        lambda: (
            MailAccount.objects.filter(pk=account.pk, last_fetched_at__isnull=False).exists()
            and "IDLE on" in logged()
        ),
        timeout=60,
        message=lambda: "the worker's first fetch and its IDLE:\n" + workers.output() + logged(),
    )
    assert not Message.objects.exists()
    delivered = time.monotonic()
    mailbox.deliver(raw_mail(subject="Renewal, quickly"))
    message = wait_for(
        lambda: Message.objects.filter(subject="Renewal, quickly").first(),
        timeout=30,
        message=lambda: "the message to be fetched:\n" + workers.output() + logged(),
    )
    # Well within the five-minute period.
    assert time.monotonic() - delivered < 30
    assert message.activity is not None  # on Emily's timeline
    workers.stop_all()
    # Stopped cleanly: the listener ended before the worker did.
    assert "Listener clientela.channels.tasks.watch_mailboxes stopped." in logged()
