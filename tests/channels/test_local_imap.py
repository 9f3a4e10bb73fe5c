"""The local IMAP server the e-mail tests and the mail benchmark share: it takes its one
mailbox's login while the block runs, and is gone after it."""

from __future__ import annotations

import imaplib
import socket

import pytest

from clientela.channels.local_imap import pymap_server


def test_the_server_holds_its_mailbox_and_stops_after_the_block():
    with pymap_server("bench@example.test", "secret") as port:
        client = imaplib.IMAP4("127.0.0.1", port)
        assert client.login("bench@example.test", "secret")[0] == "OK"
        client.logout()
        refused = imaplib.IMAP4("127.0.0.1", port)
        with pytest.raises(imaplib.IMAP4.error):
            refused.login("bench@example.test", "wrong")
        refused.shutdown()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
