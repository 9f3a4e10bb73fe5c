"""The home page's "First steps" in the browser: logging a call ticks its step, and the card
put away stays away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.customers import services
from tests.e2e.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_a_logged_call_ticks_its_step_and_the_card_can_be_put_away(page, live_server, user):
    contact = services.create_contact(actor=user, data={"full_name": "Ioana Pomi"})
    log_in(page, live_server, user)
    call_step = page.locator('[data-first-step="call"]')
    expect(call_step).to_contain_text("Log a call")
    expect(call_step).not_to_have_class("steps__item is-done")
    expect(page.locator('[data-first-step="deal"]')).not_to_have_class("steps__item is-done")

    page.goto(live_server.url + contact.get_absolute_url())
    page.wait_for_load_state("load")
    page.keyboard.press("l")
    page.get_by_placeholder("What happened? What was agreed?").fill("Wants 200 apple trees")
    page.get_by_role("button", name="Save to timeline").click()
    expect(page.locator(".timeline")).to_contain_text("Wants 200 apple trees")

    page.goto(live_server.url + "/")
    expect(page.locator('[data-first-step="call"]')).to_have_class("steps__item is-done")
    page.get_by_role("button", name="Hide first steps").click()
    expect(page.get_by_role("heading", name="First steps")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="First steps")).to_have_count(0)
