"""The administrator writes an e-mail template in the settings (a mistyped merge field is
refused, naming it), then starts an e-mail on a contact's page from it: the subject and text
arrive filled with the contact's first name, the company and the sender, and leave so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_an_email_from_a_template_with_merge_fields(
    page, live_server, mail_admin, account, smtp_server, screenshot, settings
):
    settings.MAIL_UNDO_SECONDS = 0  # undo-send off: the e-mail leaves at once
    emily = customer_services.quick_add_contact(
        actor=mail_admin, name="Emily Carter", email="emily@carter.co", company_name="Carter & Co"
    )
    log_in(page, live_server, mail_admin)

    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="E-mail templates").first.click()
    page.get_by_role("link", name="New e-mail template").first.click()
    page.get_by_label("Name").fill("Quote follow-up")
    page.get_by_label("Subject").fill("Your quote, {{ company.name }}")
    page.get_by_label("Text").fill("Dear {{ contact.nickname }},\n\nthe quote is attached.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Unknown merge field {{ contact.nickname }}.")).to_be_visible()
    screenshot(page, "email-template-form")
    page.get_by_label("Text").fill(
        "Dear {{ contact.first_name }},\n\nthe quote is attached.\n\n{{ agent.name }}"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Quote follow-up")).to_be_visible()
    screenshot(page, "email-templates")

    page.goto(live_server.url + emily.get_absolute_url())
    composer = page.locator("#email-composer")
    composer.locator("summary").click()
    composer.get_by_label("Template").select_option(label="Quote follow-up")
    composer.get_by_role("button", name="Use template").click()
    expect(composer.get_by_label("Subject")).to_have_value("Your quote, Carter & Co")
    expect(composer.get_by_label("Message")).to_have_value(
        "Dear Emily,\n\nthe quote is attached.\n\nAna Popescu"
    )
    expect(composer.get_by_label("To")).to_have_value("emily@carter.co")
    screenshot(page, "email-template-composer")
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_text("E-mail sent.")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Dear Emily,")
    sender, recipients, raw = smtp_server[1].received[-1]
    assert sender == account.address and recipients == ["emily@carter.co"]
    assert b"Subject: Your quote, Carter & Co" in raw and b"Ana Popescu" in raw
