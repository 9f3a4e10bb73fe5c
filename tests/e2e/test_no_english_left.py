"""The home page, a contact's page, the deals board, the orders list (amounts and dates) and
an invoice PDF, in each of the four languages: in Romanian, Spanish and Hindi no text a
person reads is a catalogue string left in English, and amounts and dates take the
language's format.

The check reads what is on the screen (text shown, labels, placeholders, titles, and the
PDF's lines) and looks each piece up among the catalogue's English strings: a piece that
is one of them, where the catalogue gives another text, was rendered without the
translation (a string marked too late, a template's text outside the tags, a format
made by hand)."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clientela.deals import services as deals
from clientela.orders import invoicing
from clientela.orders import services as orders
from tests.e2e.conftest import ARTIFACTS
from tests.orders.conftest import build_shop

PASSWORD = "Corect-cal-baterie-9"
LOCALE = Path(__file__).resolve().parents[2] / "src" / "clientela" / "locale"
SHOTS = ARTIFACTS / "languages"

# Every piece of text a person reads: text nodes shown, and the attributes read aloud or
# shown on hover and in empty fields.
READ_SCREEN = """() => {
  const pieces = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("script, style, template")) continue;
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    pieces.push(text);
  }
  for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) pieces.push(value);
    }
  }
  return pieces;
}"""


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|\{[a-z_]*\}")


def as_pattern(english: str) -> re.Pattern | None:
    """A string with placeholders as the text it renders to ("%(n)d lines" → "2 lines"),
    or None when too little of it is words to tell it apart."""
    parts = PLACEHOLDER.split(english)
    if sum(c.isalpha() for c in "".join(parts)) < 4:
        return None
    return re.compile(".+?".join(re.escape(part) for part in parts))


def english_left_over(language: str) -> dict[str, str]:
    """The catalogue's English strings that read differently in `language`: seeing one of
    them on a page in that language means it was not translated (unless it is also the
    language's word for something else: Romanian's "Note" is the plural of "Notă")."""
    untranslated: dict[str, str] = {}
    translations: set[str] = set()
    for domain in ("django", "djangojs"):
        with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
            catalogue = read_po(handle, locale=language)
        for message in catalogue:
            if not message.id or message.context:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            translations.update(text.strip() for text in texts if text)
            for english in ids:
                # One-letter strings (a unit, an initial) are not words to look for.
                if sum(c.isalpha() for c in english) < 2:
                    continue
                if all(text and text != english for text in texts):
                    untranslated[english.strip()] = texts[0]
    return {english: text for english, text in untranslated.items() if english not in translations}


def in_english(pieces: list[str], untranslated: dict[str, str]) -> list[str]:
    patterns = [
        (pattern, text)
        for english, text in untranslated.items()
        if PLACEHOLDER.search(english) and (pattern := as_pattern(english)) is not None
    ]
    found = []
    for piece in pieces:
        for candidate in {piece, piece.rstrip(":.…").strip()}:
            if candidate in untranslated:
                found.append(f"{piece!r} (the catalogue says {untranslated[candidate]!r})")
            else:
                found += [
                    f"{piece!r} (the catalogue says {text!r})"
                    for pattern, text in patterns
                    if pattern.fullmatch(candidate)
                ]
    return sorted(set(found))


# The language's own format of the order total (2,379.55 RON in English) and of a day.
TOTALS = {
    "en": "2,379.55",
    "ro": "2.379,55",
    "es": "2.379,55",
    "hi": "2,379.55",
}

# The browser's medium form of a day (Intl.DateTimeFormat): "Dec 6, 2026" in English, the
# day first and the month in the language's own word in the others ("6 dec. 2026",
# "6 dic 2026", "6 दिस॰ 2026").
ENGLISH_MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ro", "es", "hi"])
def test_every_page_and_the_invoice_speak_the_users_language(
    browser, live_server, make_user, language
):
    user = make_user(full_name="Ana Popescu", administrator=True)
    user.language = language
    user.save(update_fields=["language"])
    shop = build_shop(user)
    contact = shop["contact"]
    contact.language = language
    contact.save(update_fields=["language"])
    deals.create_deal(
        actor=user,
        data={"name": "Mobilier birou", "amount": Decimal("24000"), "company": shop["company"]},
    )
    order = orders.create_order_for_customer(
        actor=user,
        customer=contact,
        lines=[{"product": shop["chair"], "quantity": 2}, {"product": shop["desk"], "quantity": 1}],
    )
    invoice = invoicing.issue_invoice(actor=user, order=order)
    today = timezone.localdate()

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/login/")
        assert page.locator("html").get_attribute("lang") == language
        page.locator("input[name=username]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").first.click()
        expect(page.locator("h1")).to_contain_text("Ana")

        untranslated = english_left_over(language) if language != "en" else {}
        problems: list[str] = []
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, path in (
            ("login", None),
            ("home", "/"),
            ("contact", contact.get_absolute_url()),
            ("deals-board", "/deals/"),
            ("orders", "/orders/"),
        ):
            if path is not None:
                page.goto(live_server.url + path)
                page.wait_for_load_state("load")
                assert page.locator("html").get_attribute("lang") == language, name
                page.screenshot(path=str(SHOTS / f"{name}-{language}.png"), full_page=True)
            problems += [
                f"{name}: {found}" for found in in_english(page.evaluate(READ_SCREEN), untranslated)
            ]
            if name == "orders":
                # The list's amounts in the language's format; the day it was placed on
                # hover, written by the browser in the page's language.
                row = page.locator("tr", has_text=f"#{order.pk}").first
                expect(row).to_contain_text(TOTALS[language])
                row.locator("time").hover()
                expect(row.locator("time")).to_have_attribute("title", _hover_day(today, language))

        answer = page.request.get(f"{live_server.url}/invoices/{invoice.pk}/pdf/")
        assert answer.ok and answer.body().startswith(b"%PDF")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
        assert TOTALS[language] in text, text
        assert _day(today, language) in text, text
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        problems += [f"invoice PDF: {found}" for found in in_english(lines, untranslated)]
        assert not problems, "English left on pages in " + language + ":\n" + "\n".join(problems)
    finally:
        context.close()


def _hover_day(day: datetime.date, language: str) -> re.Pattern:
    month = ENGLISH_MONTHS[day.month - 1]
    if language == "en":
        return re.compile(rf"^{month} {day.day}, {day.year}\b")
    return re.compile(rf"^{day.day} (?!{month}\b)\S+ {day.year}\b")


def _day(day: datetime.date, language: str) -> str:
    """How the orders list writes a day in each language (dd.mm.yyyy in Romanian)."""
    from django.utils import formats, translation

    with translation.override(language):
        return formats.date_format(day, "SHORT_DATE_FORMAT")
