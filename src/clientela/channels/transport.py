"""Talking to mail servers: reading a folder over IMAP from a UID on, sending over SMTP and
appending the sent copy to the Sent folder. No database here; services decide what to keep."""

from __future__ import annotations

import contextlib
import imaplib
import re
import smtplib
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clientela.channels import secrets
from clientela.channels.models import Security

if TYPE_CHECKING:
    from email.message import EmailMessage

    from clientela.channels.models import MailAccount

TIMEOUT = 30
BATCH = 50
_UID = re.compile(rb"UID (\d+)")


class MailServerError(Exception):
    """The server could not be reached, refused the login or answered in a way we can't use."""


@dataclass
class FolderState:
    uidvalidity: int
    uids: list[int]


def connect_imap(account: MailAccount) -> imaplib.IMAP4:
    try:
        if account.imap_security == Security.SSL:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                account.imap_host,
                account.imap_port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT,
            )
        else:
            client = imaplib.IMAP4(account.imap_host, account.imap_port, timeout=TIMEOUT)
            if account.imap_security == Security.STARTTLS:
                client.starttls(ssl.create_default_context())
        client.login(account.imap_username, secrets.decrypt(account.imap_password))
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailServerError(str(error) or error.__class__.__name__) from error
    return client


def open_folder(client: imaplib.IMAP4, folder: str, after_uid: int) -> FolderState:
    """Select `folder` read-only: its UIDVALIDITY and the UIDs above `after_uid`."""
    uidvalidity = select_folder(client, folder)
    try:
        _status, data = client.uid("SEARCH", "UID", f"{after_uid + 1}:*")
    except (OSError, imaplib.IMAP4.error, ValueError) as error:
        raise MailServerError(str(error)) from error
    uids = sorted(int(u) for u in (data[0] or b"").split() if u.isdigit())
    # "n:*" always names the last message, even one below n.
    return FolderState(uidvalidity, [u for u in uids if u > after_uid])


def select_folder(client: imaplib.IMAP4, folder: str) -> int:
    """Select `folder` read-only; its UIDVALIDITY."""
    try:
        status, _data = client.select(_quote(folder), readonly=True)
        if status != "OK":
            raise MailServerError(f"cannot open folder {folder}")
        validity = client.response("UIDVALIDITY")[1]
        return int(validity[0]) if validity and validity[0] else 0
    except (OSError, imaplib.IMAP4.error, ValueError) as error:
        raise MailServerError(str(error)) from error


def fetch(client: imaplib.IMAP4, uids: list[int]) -> Iterator[tuple[int, bytes]]:
    """(uid, raw message) in UID order, a batch at a time, without marking them read."""
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        try:
            _status, data = client.uid("FETCH", ",".join(map(str, batch)), "(UID BODY.PEEK[])")
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailServerError(str(error)) from error
        found: dict[int, bytes] = {}
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                match = _UID.search(item[0])
                if match:
                    found[int(match.group(1))] = item[1]
        for uid in batch:
            if uid in found:
                yield uid, found[uid]


def supports_idle(client: imaplib.IMAP4) -> bool:
    """Whether the server pushes new mail (RFC 2177), as it says once logged in."""
    try:
        _status, data = client.capability()
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailServerError(str(error)) from error
    return any(b"IDLE" in (line or b"").upper().split() for line in data)


class Idle:
    """An IMAP IDLE on a selected folder, read straight from the socket (imaplib has no
    IDLE before Python 3.14): `wait(seconds)` says whether the server announced new mail
    (an EXISTS) within that time; `done()` ends it. The server may drop an IDLE after 30
    minutes, so the caller ends and starts it again before (RENEW_SECONDS)."""

    RENEW_SECONDS = 25 * 60
    _EXISTS = re.compile(rb"^\* \d+ EXISTS")

    def __init__(self, client: imaplib.IMAP4) -> None:
        self.client = client
        self.tag = client._new_tag()
        self._buffer = b""
        self._send(self.tag + b" IDLE\r\n")
        line = self._line(TIMEOUT)
        if line is None or not line.startswith(b"+"):
            raise MailServerError(
                f"IDLE refused: {(line or b'no answer').decode(errors='replace')}"
            )

    def wait(self, seconds: float) -> bool:
        """True as soon as the server says the folder got a new message, False when it
        said nothing of the kind within `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            line = self._line(max(0.0, deadline - time.monotonic()))
            if line is None:
                return False
            if line.startswith(b"* BYE"):
                raise MailServerError("the server ended the connection")
            if self._EXISTS.match(line):
                return True

    def done(self) -> None:
        """End the IDLE: the tagged answer read (and whatever came before it)."""
        self._send(b"DONE\r\n")
        deadline = time.monotonic() + TIMEOUT
        while True:
            line = self._line(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise MailServerError("no answer to DONE")
            if line.startswith(self.tag + b" "):
                return

    def _send(self, data: bytes) -> None:
        try:
            self.client.send(data)
        except OSError as error:
            raise MailServerError(str(error)) from error

    def _line(self, seconds: float) -> bytes | None:
        """One line from the server within `seconds`, or None."""
        sock = self.client.sock
        deadline = time.monotonic() + seconds
        try:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                sock.settimeout(min(left, 1.0))
                try:
                    chunk = sock.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    raise MailServerError("the server closed the connection")
                self._buffer += chunk
        except OSError as error:
            raise MailServerError(str(error) or error.__class__.__name__) from error
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(TIMEOUT)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line + b"\n"


def append(account: MailAccount, folder: str, raw: bytes) -> None:
    client = connect_imap(account)
    try:
        status, _data = client.append(
            _quote(folder), r"(\Seen)", imaplib.Time2Internaldate(time.time()), raw
        )
        if status != "OK":
            client.create(_quote(folder))
            client.append(_quote(folder), r"(\Seen)", imaplib.Time2Internaldate(time.time()), raw)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailServerError(str(error)) from error
    finally:
        logout(client)


def logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _smtp(account: MailAccount) -> smtplib.SMTP:
    try:
        if account.smtp_security == Security.SSL:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                account.smtp_host,
                account.smtp_port,
                timeout=TIMEOUT,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(account.smtp_host, account.smtp_port, timeout=TIMEOUT)
            if account.smtp_security == Security.STARTTLS:
                client.starttls(context=ssl.create_default_context())
        if account.smtp_username:
            client.login(account.smtp_username, secrets.decrypt(account.smtp_password))
    except (OSError, smtplib.SMTPException) as error:
        raise MailServerError(str(error) or error.__class__.__name__) from error
    return client


def send(account: MailAccount, message: EmailMessage) -> None:
    client = _smtp(account)
    try:
        client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailServerError(str(error)) from error
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()


def check(account: MailAccount) -> None:
    """Log in to both servers and open the inbox; MailServerError says what failed."""
    client = connect_imap(account)
    try:
        open_folder(client, account.inbox_folder, 0)
    finally:
        logout(client)
    smtp = _smtp(account)
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.quit()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
