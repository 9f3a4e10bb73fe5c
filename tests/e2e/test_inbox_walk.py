"""A Telegram message arrives through the bot's webhook (the recorded update, with the
secret token); the user finds it in the unified inbox, answers inline, and sees the answer
in the same conversation and on the contact's timeline, while the (local, fake) Telegram
API receives sendMessage."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from clientela.channels import inbox
from clientela.channels.models import Message
from tests.e2e.conftest import log_in
from tests.messenger_fake import TELEGRAM_SECRET, payload, telegram_bot_and_ioana


@pytest.mark.django_db(transaction=True)
def test_reply_to_a_telegram_message_from_the_unified_inbox(
    page, live_server, mail_admin, fake_provider, screenshot
):
    bot, ioana = telegram_bot_and_ioana(mail_admin)

    request = urllib.request.Request(  # noqa: S310 - the local test server
        f"{live_server.url}/hooks/messengers/{bot.webhook_key}/",
        data=payload("telegram_message"),
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.status == 200

    log_in(page, live_server, mail_admin)
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    row = page.locator(".inbox-list__item").filter(has_text="Ioana Marin")
    expect(row).to_contain_text("Bună ziua, comanda mea a plecat?")
    screenshot(page, "inbox-unified")

    row.get_by_text("Reply", exact=True).click()
    row.get_by_label("Reply to").fill("Da, a plecat azi cu curierul.")
    screenshot(page, "inbox-reply")
    row.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    expect(page.locator(".inbox-list__item")).to_have_count(0)  # answered: out of the inbox

    # The worker's turn: the reply goes out through the Bot API.
    reply = Message.objects.get(direction="outbound")
    inbox.deliver(reply.pk)
    (sent,) = fake_provider.sent("sendMessage")
    assert sent.body == {"chat_id": "571230981", "text": "Da, a plecat azi cu curierul."}

    page.goto(f"{live_server.url}/mail/conversations/{reply.conversation_id}/")
    thread = page.locator(".mail-message")
    expect(thread).to_have_count(2)
    expect(thread.nth(0)).to_contain_text("Bună ziua, comanda mea a plecat?")
    expect(thread.nth(1)).to_contain_text("Da, a plecat azi cu curierul.")
    expect(thread.nth(1)).to_contain_text("Sent")
    screenshot(page, "inbox-conversation")

    page.goto(live_server.url + ioana.get_absolute_url())
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Bună ziua, comanda mea a plecat?")
    expect(timeline).to_contain_text("Da, a plecat azi cu curierul.")
    threads = timeline.locator(".mail-thread")
    expect(threads).to_have_count(2)
    assert len({threads.nth(i).get_attribute("data-thread") for i in range(2)}) == 1
    screenshot(page, "inbox-contact-timeline")

    page.goto(live_server.url + "/settings/messengers/")
    screenshot(page, "inbox-messengers")
