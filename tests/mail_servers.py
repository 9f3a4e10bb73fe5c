"""Real mail servers for the e-mail tests (a pytest plugin of tests/conftest.py): an IMAP
server (pymap, in memory) started once per run in its own process, an SMTP server
(aiosmtpd) in this one, and an account on them held by an administrator."""

from __future__ import annotations

import imaplib
import uuid

import pytest

from clientela.channels.local_imap import free_port, pymap_server

IMAP_USER, IMAP_PASSWORD = "desk@firma.ro", "imap-secret"


@pytest.fixture(scope="session")
def imap_server():
    with pymap_server(IMAP_USER, IMAP_PASSWORD) as port:
        yield port


class SmtpInbox:
    """What the SMTP server received: (envelope sender, recipients, raw bytes)."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


class Mailbox:
    """The test's own folders on the IMAP server, so tests share the server, not mail."""

    def __init__(self, port: int):
        self.port = port
        tag = uuid.uuid4().hex[:10]
        self.inbox, self.sent = f"In{tag}", f"Sent{tag}"
        client = self.client()
        client.create(self.inbox)
        client.create(self.sent)
        client.logout()

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def deliver(self, raw: bytes, folder: str | None = None) -> None:
        client = self.client()
        status, _data = client.append(folder or self.inbox, None, None, raw)
        client.logout()
        assert status == "OK"

    def messages(self, folder: str) -> list[bytes]:
        client = self.client()
        client.select(folder, readonly=True)
        _status, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        client.logout()
        return [item[1] for item in data if isinstance(item, tuple)]


@pytest.fixture
def mailbox(imap_server):
    return Mailbox(imap_server)


@pytest.fixture
def mail_admin(make_user):
    """An administrator: the one who keeps e-mail accounts."""
    from clientela.users.services import role_named

    return make_user(full_name="Ana Popescu", role=role_named("administrator"))


@pytest.fixture
def account(db, mailbox, smtp_server, mail_admin):
    from clientela.channels import services

    return services.save_account(
        actor=mail_admin,
        instance=None,
        data={
            "name": "Desk",
            "address": IMAP_USER,
            "owner": mail_admin,
            "imap_host": "127.0.0.1",
            "imap_port": mailbox.port,
            "imap_security": "none",
            "imap_username": IMAP_USER,
            "imap_password": IMAP_PASSWORD,
            "inbox_folder": mailbox.inbox,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server[0],
            "smtp_security": "none",
            "smtp_username": "",
            "sent_folder": mailbox.sent,
        },
    )


def raw_mail(
    *,
    sender="Emily Carter <emily@carter.co>",
    to=IMAP_USER,
    subject="Renewal",
    body="Hello",
    message_id="<m1@carter.co>",
    extra="",
) -> bytes:
    headers = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
    headers += "Date: Mon, 07 Dec 2026 09:00:00 +0200\r\n"
    if message_id:
        headers += f"Message-ID: {message_id}\r\n"
    return (headers + extra + "\r\n" + body + "\r\n").encode()
