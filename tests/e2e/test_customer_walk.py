"""The sales rep's walk: quick-add, a duplicate caught by phone, a call with its recording
and call-back, Ctrl+K by phone digits, merge, one timeline with everything."""

from __future__ import annotations

import datetime
import io
import re
import wave

import pytest
from django.contrib.humanize.templatetags.humanize import naturaltime
from playwright.sync_api import expect

from clientela.activities.models import Activity, Task
from clientela.customers import services
from clientela.customers.models import Contact

PASSWORD = "Corect-cal-baterie-9"


def recording_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * 8000)
    return buffer.getvalue()


@pytest.fixture
def logged_in(page, live_server, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    return page


def press(page, key: str) -> None:
    """A shortcut, once the page's script has loaded and can hear it."""
    page.wait_for_load_state("load")
    page.keyboard.press(key)


def quick_add(page, *, name, phone, email=""):
    press(page, "c")
    dialog = page.get_by_role("dialog", name="Add a contact")
    expect(dialog).to_be_visible()
    # The form arrives through htmx; its first field takes the focus once htmx has bound
    # the duplicate check to it. Typed earlier, the check never hears the input.
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill(name)
    if email:
        dialog.get_by_label("E-mail").fill(email)
    dialog.get_by_label("Phone").fill(phone)
    return dialog


@pytest.mark.django_db(transaction=True)
def test_quick_add_duplicate_call_search_merge(logged_in, live_server, screenshot):
    page = logged_in

    # Quick-add from anywhere with "c": a contact from a name, a phone and an e-mail.
    dialog = quick_add(
        page, name="Ioana Dumitrescu", phone="0722 123 456", email="ioana@fabrica.ro"
    )
    screenshot(page, "quick-add")
    dialog.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Ioana Dumitrescu", level=1)).to_be_visible()
    first = Contact.objects.get(full_name="Ioana Dumitrescu")
    assert first.phone == "+40722123456"

    # The same phone written another way is caught while typing.
    dialog = quick_add(page, name="Ioana D.", phone="+40 (722) 123-456")
    suspects = dialog.locator(".suspects")
    expect(suspects).to_contain_text("Ioana Dumitrescu")
    expect(suspects).to_contain_text("same phone")
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog).to_contain_text("This may be someone you have already")
    dialog.get_by_role("button", name="Add anyway").click()
    expect(page.get_by_role("heading", name="Ioana D.", level=1)).to_be_visible()
    duplicate = Contact.objects.get(full_name="Ioana D.")
    # Its page says it looks like someone else.
    expect(page.locator(".card--warning")).to_contain_text("Suspected duplicate")
    press(page, "n")
    page.get_by_placeholder("What happened? What was agreed?").fill("Met at the trade fair")
    page.get_by_role("button", name="Save to timeline").click()
    expect(page.locator(".timeline")).to_contain_text("Met at the trade fair")

    # A call with its recording and a call-back for tomorrow, on the first contact.
    page.goto(live_server.url + first.get_absolute_url())
    press(page, "l")
    page.get_by_label("Subject").fill("Offer for 200 units")
    page.get_by_label("Minutes").fill("12")
    page.get_by_label("Outcome").select_option("connected")
    page.get_by_label("Recording").set_input_files(
        {"name": "call.wav", "mimeType": "audio/wav", "buffer": recording_bytes()}
    )
    tomorrow = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    page.get_by_label("Schedule a call-back").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save to timeline").click()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Offer for 200 units")
    expect(timeline.locator("audio")).to_have_count(1)
    expect(page.locator(".task-list")).to_contain_text("Call back Ioana Dumitrescu")
    task = Task.objects.get()
    assert task.due_at == tomorrow and task.object_id == first.pk

    # Ctrl+K finds her by a few digits of the phone.
    page.goto(live_server.url + "/contacts/")
    screenshot(page, "contacts-list")
    press(page, "Control+k")
    palette = page.get_by_role("dialog", name="Search")
    palette.get_by_role("combobox").fill("722 12")
    expect(palette.locator(".result")).to_have_count(2)
    palette.get_by_role("link", name="Ioana Dumitrescu").click()
    expect(page.get_by_role("heading", name="Ioana Dumitrescu", level=1)).to_be_visible()

    # Merge the duplicate into her: one timeline with everything.
    page.locator(".card--warning").get_by_role("link", name="Merge…").click()
    expect(page.get_by_role("heading", name="Merge Ioana D. into Ioana Dumitrescu")).to_be_visible()
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".toast")).to_contain_text("Ioana D. was merged into Ioana Dumitrescu")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Met at the trade fair")
    expect(timeline).to_contain_text("Offer for 200 units")
    expect(timeline.locator("audio")).to_have_count(1)
    expect(page.locator(".card--warning")).to_have_count(0)
    screenshot(page, "contact-detail")

    # Inline edit with "e": a quiet confirmation, the header follows.
    press(page, "e")
    facts = page.locator("#facts-card")
    facts.get_by_label("Position").fill("Purchasing manager")
    screenshot(page, "contact-inline-edit")
    facts.get_by_role("button", name="Save").click()
    expect(facts).to_contain_text("Saved")
    expect(page.locator("#record-header")).to_contain_text("Purchasing manager")
    assert Contact.objects.get(pk=duplicate.pk).deleted_at is not None
    assert set(
        Activity.objects.filter(
            links__object_id=first.pk, links__content_type__model="contact"
        ).values_list("kind", flat=True)
    ) == {"call", "note"}


@pytest.mark.django_db(transaction=True)
def test_quick_add_hears_what_is_typed_as_soon_as_its_first_field_has_the_focus(
    logged_in, live_server, user
):
    # The form arrives through htmx; the browser may focus its first field (autofocus) as
    # soon as it is in the page. Whoever starts typing then must be heard by the duplicate
    # check: here a phone on file is typed in the very task that focuses the field.
    services.quick_add_contact(actor=user, name="Ioana Dumitrescu", phone="0722 123 456")
    page = logged_in
    page.goto(live_server.url + "/contacts/")
    page.wait_for_load_state("load")
    page.evaluate(
        """() => document.addEventListener("focusin", (event) => {
          const form = event.target.closest("#quick-add-form");
          if (!form || event.target.name !== "name" || form.dataset.typed) return;
          form.dataset.typed = "yes";
          event.target.value = "Ioana D.";
          form.elements.phone.value = "+40 (722) 123-456";
          form.elements.phone.dispatchEvent(new Event("input", { bubbles: true }));
        })"""
    )
    press(page, "c")
    dialog = page.get_by_role("dialog", name="Add a contact")
    expect(dialog.get_by_label("Name")).to_be_focused()
    expect(dialog.locator(".suspects")).to_contain_text("Ioana Dumitrescu")
    expect(dialog.locator(".suspects")).to_contain_text("same phone")


@pytest.mark.django_db(transaction=True)
def test_a_relative_time_shows_its_exact_date_and_time_on_hover(logged_in, live_server, user):
    contact = services.quick_add_contact(actor=user, name="Radu Ene", phone="0733 000 111")
    stamp = datetime.datetime(2026, 3, 4, 15, 7, 30, tzinfo=datetime.UTC)
    Contact.objects.filter(pk=contact.pk).update(updated_at=stamp)
    page = logged_in
    page.goto(live_server.url + "/contacts/?cols=name,updated")
    page.wait_for_load_state("load")
    time = page.locator(f'tr:has(a[href="/contacts/{contact.pk}/"]) time')
    expect(time).to_have_text(naturaltime(stamp))
    time.hover()
    # In the product's time zone (UTC in the tests), in the page's language.
    expect(time).to_have_attribute("title", re.compile(r"^Mar 4, 2026, 3:07\s?PM$"))
