"""An e-mail from someone unknown arrives; the user makes a contact of the sender from the
mail page, replies from the contact's page, and sees both messages in one thread on the
timeline and on the conversation's page. Real IMAP and SMTP servers behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.channels import services
from clientela.channels.models import Message
from tests.e2e.conftest import log_in

QUOTE = (
    b"From: John Doe <john@doe.example>\r\nTo: desk@firma.ro\r\nSubject: Quote for 40 chairs\r\n"
    b"Message-ID: <quote@doe.example>\r\n\r\n"
    b"Could you quote 40 chairs?\r\n"
)


@pytest.mark.django_db(transaction=True)
def test_reply_to_an_unknown_sender_from_the_contact_page(
    page,
    live_server,
    mail_admin,
    account,
    mailbox,
    smtp_server,
    screenshot,
    settings,
):
    settings.MAIL_UNDO_SECONDS = 0  # undo-send off: the reply leaves at once
    mailbox.deliver(QUOTE)
    assert services.fetch_account(account) == 1
    log_in(page, live_server, mail_admin)

    page.get_by_role("link", name="E-mail").first.click()
    expect(page.get_by_role("heading", name="E-mail", level=1)).to_be_visible()
    screenshot(page, "mail-inbox")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", name="John Doe", level=1)).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Could you quote 40 chairs?")

    timeline.get_by_role("link", name="Reply").click()
    composer = page.locator("#email-composer")
    expect(composer.get_by_label("To")).to_have_value("john@doe.example")
    expect(composer.get_by_label("Subject")).to_have_value("Re: Quote for 40 chairs")
    composer.get_by_label("Message").fill("Gladly: 40 chairs at 120 EUR each.")
    screenshot(page, "mail-composer")
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_text("E-mail sent.")).to_be_visible()

    expect(timeline).to_contain_text("Gladly: 40 chairs at 120 EUR each.")
    threads = timeline.locator(".mail-thread")
    expect(threads).to_have_count(2)
    assert len({threads.nth(i).get_attribute("data-thread") for i in range(2)}) == 1
    assert smtp_server[1].received[-1][1] == ["john@doe.example"]
    screenshot(page, "mail-contact-timeline")

    threads.first.get_by_role("link", name="Conversation: Quote for 40 chairs").click()
    expect(page.locator(".mail-message")).to_have_count(2)
    screenshot(page, "mail-conversation")
    assert Message.objects.filter(conversation__subject="Quote for 40 chairs").count() == 2

    page.goto(live_server.url + "/settings/mail-accounts/")
    screenshot(page, "mail-accounts")
    page.goto(live_server.url + f"/settings/mail-accounts/{account.pk}/")
    screenshot(page, "mail-account-form")
    page.goto(live_server.url + f"/mail/accounts/{account.pk}/test/")
    expect(page.get_by_text("Both servers accepted the account")).to_be_visible()
    screenshot(page, "mail-account-test")
