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
    try:
        status, _data = client.select(_quote(folder), readonly=True)
        if status != "OK":
            raise MailServerError(f"cannot open folder {folder}")
        validity = client.response("UIDVALIDITY")[1]
        uidvalidity = int(validity[0]) if validity and validity[0] else 0
        status, data = client.uid("SEARCH", "UID", f"{after_uid + 1}:*")
    except (OSError, imaplib.IMAP4.error, ValueError) as error:
        raise MailServerError(str(error)) from error
    uids = sorted(int(u) for u in (data[0] or b"").split() if u.isdigit())
    # "n:*" always names the last message, even one below n.
    return FolderState(uidvalidity, [u for u in uids if u > after_uid])


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
