"""The main pages, read by a person whose language is Romanian, Spanish or Hindi, hold no
English words of the product's own (R28): every visible text equal to an English string of
the catalogue that the language translates differently is a string the page forgot to
translate. What people typed (names, stages, products) is theirs and is left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.db import models

from clientela.activities import services as activities
from clientela.core import catalogues
from clientela.deals import services as deals
from clientela.orders import services as orders
from clientela.users import services as users

# Texts a reader sees: text nodes, and what assistive technology and tooltips read.
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
NOT_SHOWN = {"script", "style", "template"}


class VisibleText(HTMLParser):
    """Visible texts of a page, without what is marked as written in another language
    (the language picker names each language in its own)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        foreign = attributes.get("lang") not in (None, self.language)
        hidden = tag in NOT_SHOWN or foreign
        if tag not in {"input", "img", "br", "meta", "link", "hr", "source", "wbr"}:
            self.stack.append((tag, hidden))
        if not (hidden or self._hidden()):
            self.texts += [
                attributes[name] or "" for name in SHOWN_ATTRIBUTES if name in attributes
            ]

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.texts.append(data)


def visible_texts(html: str, language: str) -> set[str]:
    parser = VisibleText(language)
    parser.feed(html)
    return {" ".join(text.split()) for text in parser.texts if text.strip()}


def untranslated_english(language: str) -> set[str]:
    """English strings of the catalogue (longer than three characters) that the language
    writes otherwise, less those that are also a word of the language (Romanian "Note" is
    the plural of "Notă")."""
    path = catalogues.LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language)
    english, translated = set(), set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        translated |= {" ".join(form.split()) for form in forms}
        english |= {
            " ".join(msgid.split())
            for msgid in ids
            if len(msgid) > 3 and "%" not in msgid and msgid not in forms
        }
    return english - translated


def user_data() -> set[str]:
    """Every text stored in the product's tables: names, stages, products, notes."""
    values: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("clientela."):
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
        ]
        if fields:
            for row in model._base_manager.values_list(*fields):
                values |= {" ".join(str(value).split()) for value in row if value}
    return values


@pytest.fixture
def business(make_user):
    from clientela.orders.models import Warehouse
    from clientela.users.services import role_named
    from tests.orders.conftest import build_shop

    person = make_user(full_name="Ana Popescu", role=role_named("manager"))
    shop = build_shop(person)
    pipeline = deals.ensure_pipeline()
    deal = deals.create_deal(
        actor=person,
        data={
            "name": "Mobilier birou Cluj",
            "stage": pipeline.stages.first(),
            "company": shop["company"],
            "contacts": [shop["contact"]],
            "amount": "24000.00",
        },
    )
    orders.create_order_for_customer(
        actor=person, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 2}]
    )
    assert Warehouse.objects.exists()
    activities.log_activity(
        actor=person, record=shop["contact"], kind="call", subject="Ofertă", duration_seconds=90
    )
    activities.create_task(actor=person, title="Sună înapoi", assignee=person, record=deal)
    return {"person": person, "shop": shop, "deal": deal}


def pages(business) -> list[str]:
    from clientela.orders.models import Order

    return [
        "/",
        "/contacts/",
        business["shop"]["contact"].get_absolute_url(),
        "/deals/",
        Order.objects.get().get_absolute_url(),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "es", "hi"])
def test_pages_read_by_a_person_of_each_language_hold_no_english(client, business, language):
    person = business["person"]
    users.set_language(actor=person, language=language)
    client.force_login(person)
    english = untranslated_english(language)
    data = user_data()
    left = {}
    for url in pages(business):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, url
        found = (visible_texts(html, language) & english) - data
        if found:
            left[url] = sorted(found)
    assert not left, f"English left on the {language} pages: {left}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "es", "hi"])
def test_the_log_in_page_in_each_language_holds_no_english(client, language):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    found = visible_texts(html, language) & untranslated_english(language)
    assert not found, f"English left on the {language} log-in page: {sorted(found)}"


def test_the_check_finds_english_left_on_a_page():
    """The comparison itself: an English label among Romanian ones is found, a language's
    own name in the picker and a script's text are not."""
    html = (
        '<html lang="ro"><body><h1>Contacte</h1><button>Save</button>'
        '<a aria-label="Close">x</a><option lang="en">English</option>'
        "<script>var s = 'Cancel';</script><p>Ana   Popescu</p></body></html>"
    )
    texts = visible_texts(html, "ro")
    assert texts == {"Contacte", "Save", "Close", "x", "Ana Popescu"}
    assert {"Save", "Close"} <= untranslated_english("ro")
    assert texts & untranslated_english("ro") == {"Save", "Close"}
    assert re.search("Cancel", html) and "Cancel" not in texts
