"""New mail as it arrives: one IMAP connection per active account idling on its inbox
(RFC 2177), which on a new message enqueues that account's fetch job, the same fetch the
five-minute period runs (so fetching stays one code path, and a message announced twice is
still kept once). A server without IDLE is left to the period. Run by the job worker as a
listener (`jobs.listener`, tasks.py), on threads of its own: a job must not block."""

from __future__ import annotations

import imaplib
import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connections

from clientela.channels import transport
from clientela.channels.models import MailAccount

log = logging.getLogger(__name__)
# How often the accounts are read again (one added, changed, switched off).
ACCOUNTS_SECONDS = 30.0
# New messages announced this close together make one fetch (a burst of deliveries).
SETTLE_SECONDS = 0.3
# A connection lost or refused is tried again after 1, 2, 4… seconds, at most this long.
MAX_BACKOFF_SECONDS = 300.0
# A server without IDLE is asked again this rarely (it may have been upgraded).
NO_IDLE_SECONDS = 3600.0
# How long a wait on the server lasts before the stop flag is looked at again.
POLL_SECONDS = 1.0


def _signature(account: MailAccount) -> tuple:
    """What the connection depends on: a change to any of it opens a new one."""
    return (
        account.imap_host,
        account.imap_port,
        account.imap_security,
        account.imap_username,
        account.imap_password,  # encrypted as kept
        account.inbox_folder,
    )


class Watcher(threading.Thread):
    """One account's inbox, idled on until `stop()`: `on_new_mail(account_id)` is called
    when the server announces a message, and once after each reconnection (what arrived
    while the connection was down)."""

    def __init__(self, account: MailAccount, on_new_mail: Callable[[int], None]) -> None:
        super().__init__(name=f"clientela-idle-{account.pk}", daemon=True)
        self.account = account
        self.on_new_mail = on_new_mail
        self.stopping = threading.Event()
        self.idling = threading.Event()  # set while an IDLE is running (the tests wait on it)
        self.failures = 0
        self.connected_once = False

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self._session()
                    self.failures = 0
                except Exception as error:
                    self.idling.clear()
                    self.failures += 1
                    delay = min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1))
                    log.warning(
                        "IDLE on %s: %s; trying again in %.0f s",
                        self.account.address,
                        error,
                        delay,
                        exc_info=not isinstance(error, transport.MailServerError),
                    )
                    self.stopping.wait(delay)
        finally:
            self.idling.clear()
            connections.close_all()

    def _session(self) -> None:
        """One connection: logged in, the inbox selected, idled on until a stop or a
        failure (MailServerError); on a server without IDLE, NO_IDLE_SECONDS of waiting."""
        client = transport.connect_imap(self.account)
        try:
            if not transport.supports_idle(client):
                log.info("%s has no IMAP IDLE: fetched every period", self.account.address)
                self.stopping.wait(NO_IDLE_SECONDS)
                return
            transport.select_folder(client, self.account.inbox_folder)
            if self.connected_once:
                # What came while the connection was down.
                self._announce()
            self.connected_once = True
            while not self.stopping.is_set():
                self._idle(client)
        finally:
            self.idling.clear()
            transport.logout(client)

    def _idle(self, client: imaplib.IMAP4) -> None:
        """One IDLE, ended after RENEW_SECONDS, or on a stop."""
        idle = transport.Idle(client)
        self.idling.set()
        log.info("IDLE on %s (%s)", self.account.address, self.account.inbox_folder)
        renew_at = time.monotonic() + transport.Idle.RENEW_SECONDS
        pending = False
        while not self.stopping.is_set() and time.monotonic() < renew_at:
            if idle.wait(SETTLE_SECONDS if pending else POLL_SECONDS):
                pending = True
                continue
            if pending:
                # Nothing more announced for a moment: one fetch for the whole burst.
                self._announce()
                pending = False
        if pending:
            self._announce()
        idle.done()

    def _announce(self) -> None:
        """The account's fetch asked for; a database that failed to take it (the period
        fetches the message anyway) does not end the connection."""
        try:
            close_old_connections()
            self.on_new_mail(self.account.pk)
        except Exception:
            log.exception("The fetch of %s could not be enqueued.", self.account.address)


class Watchers:
    """A watcher per active account, kept in step with the accounts as they change."""

    def __init__(self, on_new_mail: Callable[[int], None]) -> None:
        self.on_new_mail = on_new_mail
        self.watching: dict[int, tuple[tuple, Watcher]] = {}

    def refresh(self) -> None:
        accounts = {a.pk: a for a in MailAccount.objects.filter(is_active=True)}
        for pk, (signature, watcher) in list(self.watching.items()):
            account = accounts.get(pk)
            if account is None or _signature(account) != signature or not watcher.is_alive():
                watcher.stop()
                del self.watching[pk]
        for pk, account in accounts.items():
            if pk not in self.watching:
                watcher = Watcher(account, self.on_new_mail)
                self.watching[pk] = (_signature(account), watcher)
                watcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        for _key, watcher in self.watching.values():
            watcher.stop()
        deadline = time.monotonic() + timeout
        for _key, watcher in self.watching.values():
            watcher.join(max(0.0, deadline - time.monotonic()))
        self.watching = {}


def listen(stopping: threading.Event, on_new_mail: Callable[[int], None]) -> None:
    """Idle on every active account until `stopping` is set; the accounts read again every
    ACCOUNTS_SECONDS."""
    watchers = Watchers(on_new_mail)
    try:
        while not stopping.is_set():
            try:
                close_old_connections()
                watchers.refresh()
            except Exception:  # a locked database: the same accounts until the next look
                log.exception("The mail accounts could not be read.")
            stopping.wait(ACCOUNTS_SECONDS)
    finally:
        watchers.stop()
        connections.close_all()
