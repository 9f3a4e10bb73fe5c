"""A call log from the phone system lands on the contact's timeline: the user imports the
CSV with its recording, sees which calls matched, and plays the recording on the contact's
page, where the number is a link that dials it. Then the phone system's dial address and
the user's calendar feed are set up."""

from __future__ import annotations

import io
import re
import wave

import pytest
from playwright.sync_api import expect

from clientela.core.telephony import services as telephony
from clientela.customers import services as customer_services
from tests.e2e.conftest import log_in

LOG = (
    "Call ID,Date/Time,Direction,From,To,Duration,Recording\n"
    "c-1,2026-11-30 14:05:00,outbound,201,0722 123 456,02:15,rec-c1.wav\n"
    "c-2,2026-11-30 15:00:00,inbound,+34 612 345 678,201,40,\n"
)


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(1600))
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_call_log_with_its_recording_reaches_the_timeline(
    page, live_server, make_user, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_DIR = tmp_path / "imports"
    admin = make_user(email="ana@firma.ro", full_name="Ana Popescu", administrator=True)
    contact = customer_services.quick_add_contact(actor=admin, name="Ion Pop", phone="0722 123 456")
    log_in(page, live_server, admin)

    page.goto(live_server.url + "/imports/")
    page.get_by_role("link", name="Import a call log").click()
    expect(page.get_by_role("heading", name="Import a call log", level=1)).to_be_visible()
    screenshot(page, "call-log-import")
    page.get_by_label("Call log").set_input_files(
        files=[{"name": "calls.csv", "mimeType": "text/csv", "buffer": LOG.encode()}]
    )
    page.get_by_label("Recordings (optional)").set_input_files(
        files=[{"name": "rec-c1.wav", "mimeType": "audio/wav", "buffer": _wav()}]
    )
    page.get_by_role("button", name="Import calls").click()
    result = page.locator("#call-import-result")
    expect(result).to_contain_text("1 call logged")
    expect(result).to_contain_text("1 recording attached")
    expect(page.locator("#unmatched-calls")).to_contain_text("+34 612 34 56 78")
    screenshot(page, "call-log-result")

    page.goto(live_server.url + contact.get_absolute_url())
    recording = page.locator(".timeline audio")
    expect(recording).to_be_visible()
    assert page.evaluate(
        "async () => { const a = document.querySelector('.timeline audio');"
        " const r = await fetch(a.src); return [r.status, r.headers.get('content-type'),"
        " r.headers.get('x-content-type-options')]; }"
    ) == [200, "audio/wav", "nosniff"]
    expect(page.locator(".timeline")).to_contain_text("2 min 15 s")
    expect(page.locator('a[href="tel:+40722123456"]').first).to_be_visible()
    screenshot(page, "call-on-timeline")

    telephony.set_dial_template(actor=admin, template="https://pbx.example.com/dial?to={number}")
    page.goto(live_server.url + "/settings/telephony/")
    expect(page.locator("#dial-example")).to_have_text(
        "https://pbx.example.com/dial?to=%2B40722123456"
    )
    screenshot(page, "telephony-settings")

    page.goto(live_server.url + "/account/calendar/")
    page.get_by_role("button", name="Make a feed address").click()
    address = page.get_by_role("textbox", name="Address")
    expect(address).to_have_value(re.compile(r"/calendar/[\w-]{40,}\.ics$"))
    assert page.request.get(address.input_value()).text().startswith("BEGIN:VCALENDAR")
    screenshot(page, "calendar-feed")
