"""The mail benchmarks: fetching N generated messages (10,000 by default) from a local
IMAP server (pymap, in memory: the one the tests use) into the benchmark database through
the real fetch path (`channels.services.fetch_account`: threading, matching senders to
contacts, timeline entries, search entries), timed, with the process's memory read every
1,000 messages to show it stays flat; and the unified inbox's first page, timed by
`clientela bench run` beside its floor."""

from __future__ import annotations

import imaplib
import random
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.db import connection
from django.utils import timezone

from bench.memory import RssSampler, mib, rss_kib
from clientela.channels.local_imap import pymap_server

USER, PASSWORD = "bench-inbox@bench.clientela.test", "bench-imap"
SAMPLE_EVERY = 1000
INBOX_PAGE = 50  # channels.selectors.INBOX_PAGE


def messages(count: int, senders: list[str], seed: int = 10) -> Iterator[bytes]:
    """`count` plain-text messages: two in three from a known contact's address (they go
    on that contact's timeline), the others from unknown people; one in four answers an
    earlier one (In-Reply-To and References), so threads form."""
    rng = random.Random(seed)
    earlier: list[tuple[str, str]] = []
    for i in range(count):
        message = EmailMessage()
        sender = rng.choice(senders) if senders and i % 3 else f"stranger{i}@elsewhere.example"
        message["From"] = sender
        message["To"] = USER
        message["Date"] = format_datetime(timezone.now())
        message_id = make_msgid(domain="bench.example")
        message["Message-ID"] = message_id
        if earlier and i % 4 == 0:
            parent_id, subject = rng.choice(earlier[-200:])
            message["In-Reply-To"] = parent_id
            message["References"] = parent_id
            message["Subject"] = f"Re: {subject}"
        else:
            subject = f"Order {i} question"
            message["Subject"] = subject
            earlier.append((message_id, subject))
        message.set_content(
            f"Hello,\n\nabout order {i}: when does it ship? "
            + "We would like it before Friday. " * rng.randint(1, 20)
            + "\n\nThanks"
        )
        yield bytes(message)


def _deliver(port: int, folder: str, raws: Iterator[bytes]) -> int:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.create(folder)
    delivered = 0
    for raw in raws:
        status, _data = client.append(folder, None, None, raw)
        if status != "OK":
            raise RuntimeError(f"the IMAP server refused message {delivered}")
        delivered += 1
    client.logout()
    return delivered


def _senders(limit: int = 5000) -> list[str]:
    from clientela.customers.models import EmailAddress

    return list(
        EmailAddress.objects.filter(contact__isnull=False)
        .order_by("pk")
        .values_list("address", flat=True)[:limit]
    )


def run(count: int, log: Callable[[str], None]) -> dict:
    from bench.generate import ADMIN_EMAIL
    from clientela.channels import services, transport
    from clientela.channels.models import Message
    from clientela.customers.models import Contact
    from clientela.users.models import User

    admin = User.objects.get(email=ADMIN_EMAIL)
    with pymap_server(USER, PASSWORD) as port:
        folder = f"Bench{int(time.time())}"
        started = time.perf_counter()
        _deliver(port, folder, messages(count, _senders()))
        log(f"  {count} messages put on the IMAP server in {time.perf_counter() - started:.1f} s")
        account = services.save_account(
            actor=admin,
            instance=None,
            data={
                "name": "Bench inbox",
                "address": USER,
                "owner": admin,
                "imap_host": "127.0.0.1",
                "imap_port": port,
                "imap_security": "none",
                "imap_username": USER,
                "imap_password": PASSWORD,
                "smtp_host": "127.0.0.1",
                "smtp_port": 25,
                "smtp_security": "none",
                "inbox_folder": folder,
            },
        )
        before = Message.objects.count()
        samples: list[dict] = []
        fetch = transport.fetch
        clock = [0.0]

        def sampled(client, uids):
            # The real fetch, with the process's memory read every SAMPLE_EVERY messages.
            for n, item in enumerate(fetch(client, uids), start=1):
                yield item
                if n % SAMPLE_EVERY == 0:
                    samples.append(
                        {
                            "messages": n,
                            "seconds": round(time.perf_counter() - clock[0], 2),
                            "rss_mib": mib(rss_kib()),
                        }
                    )
                    log(f"  {n:>6} messages  {samples[-1]['seconds']:>7} s  "
                        f"{samples[-1]['rss_mib']} MiB")  # fmt: skip

        transport.fetch = sampled
        try:
            with RssSampler() as rss:
                clock[0] = time.perf_counter()
                kept = services.fetch_account(account)
                seconds = time.perf_counter() - clock[0]
        finally:
            transport.fetch = fetch
        account.refresh_from_db()
        if account.last_error:
            raise RuntimeError(f"the fetch failed: {account.last_error}")
        # Again: nothing new, nothing kept twice.
        again = time.perf_counter()
        kept_again = services.fetch_account(account)
        again_seconds = time.perf_counter() - again
    first = samples[0]["rss_mib"] if samples else 0
    return {
        "database": connection.vendor,
        "contacts": Contact.objects.count(),
        "messages": count,
        "kept": kept,
        "messages_in_database": Message.objects.count() - before,
        "seconds": round(seconds, 1),
        "messages_per_second": round(kept / seconds, 1) if seconds else 0,
        "refetch_kept": kept_again,
        "refetch_seconds": round(again_seconds, 2),
        **rss.figures(),
        "rss_growth_mib": mib(rss.peak - rss.start),
        # From the first thousand messages to the last: flat when near 0.
        "rss_growth_after_first_1000_mib": (samples[-1]["rss_mib"] - first) if samples else 0,
        "samples": samples,
    }


def inbox_sql(context, limited: bool) -> list[tuple[str, list]]:
    """The unified inbox's first page as hand-written SQL: the open conversations waiting
    for an answer, newest first, and the last message received in each."""
    return [
        (
            "SELECT * FROM channels_conversation WHERE state = 'open' AND awaiting_reply "
            f"ORDER BY last_message_at DESC, id DESC LIMIT {INBOX_PAGE}",
            [],
        ),
        (
            "SELECT m.* FROM channels_message m WHERE m.id IN (SELECT (SELECT m2.id FROM "
            "channels_message m2 WHERE m2.conversation_id = c.id AND m2.direction = 'inbound' "
            "ORDER BY m2.sent_at DESC, m2.id DESC LIMIT 1) FROM channels_conversation c "
            "WHERE c.state = 'open' AND c.awaiting_reply "
            f"ORDER BY c.last_message_at DESC, c.id DESC LIMIT {INBOX_PAGE})",
            [],
        ),
    ]


def benchmarks():
    from bench.requests import Benchmark

    # The administrator sees every account's conversations; the floor is theirs.
    return [
        Benchmark(
            "unified inbox: first page", lambda c, limited: "/inbox/", inbox_sql, admin_only=True
        )
    ]
