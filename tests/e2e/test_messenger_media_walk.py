"""A Telegram photo arrives from a known customer through the bot's webhook; the worker
fetches it from the (local, fake) Bot API; the user sees it as a thumbnail in the unified
inbox, in the conversation and on the contact's timeline, opens it, and none of these
pages is wider than the window at 1440 or 390 px."""

from __future__ import annotations

import io
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import expect

from clientela.channels import inbox
from clientela.channels.models import Message
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.test_overflow import check
from tests.messenger_fake import TELEGRAM_SECRET, payload, telegram_bot_and_ioana


def photo() -> bytes:
    """A 1280 by 960 JPEG: a thumbnail must shrink it to fit the phone's width."""
    out = io.BytesIO()
    Image.new("RGB", (1280, 960), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_telegram_photo_is_seen_in_the_inbox_thread_and_timeline(
    page, live_server, mail_admin, fake_provider, screenshot
):
    bot, ioana = telegram_bot_and_ioana(mail_admin)
    image = photo()
    fake_provider.files["AgACAgQAAxkBAAIBS2Zlarge1280x960"] = (
        "photos/file_12.jpg",
        "image/jpeg",
        image,
    )

    request = urllib.request.Request(  # noqa: S310 - the local test server
        f"{live_server.url}/hooks/messengers/{bot.webhook_key}/",
        data=payload("telegram_photo"),
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        },
        method="POST",
    )
    # A loaded machine answers slowly; the provider waits too.
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        assert answer.status == 200
    message = Message.objects.get()
    inbox.keep_media(message.media.get().pk)  # the worker's turn

    log_in(page, live_server, mail_admin)
    problems = []
    for name, path, where in [
        ("messenger-media-inbox", "/inbox/", ".inbox-list__item"),
        (
            "messenger-media-thread",
            f"/mail/conversations/{message.conversation_id}/",
            ".mail-message",
        ),
        ("messenger-media-timeline", ioana.get_absolute_url(), ".timeline"),
    ]:
        page.goto(live_server.url + path)
        thumb = page.locator(f"{where} .file-thumb img")
        expect(thumb).to_have_count(1)
        expect(thumb).to_have_js_property("complete", True)
        assert thumb.evaluate("img => img.naturalWidth") == 1280  # the photo itself, loaded
        for size, desktop in ((DESKTOP, True), (PHONE, False)):
            page.set_viewport_size(size)
            assert thumb.bounding_box()["width"] <= 240
            problems += check(page, f"{name} {size['width']}", desktop)
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)
    assert problems == []

    # Opened, it is the photo, shown in the browser.
    link = page.locator(".timeline .file-thumb").get_attribute("href")
    opened = page.request.get(live_server.url + link)
    assert opened.headers["content-type"] == "image/jpeg" and opened.body() == image
