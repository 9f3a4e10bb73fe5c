"""What the product writes on a timeline by itself is read in each reader's language: an
order placed by a Romanian-speaking seller reads in Spanish to a Spanish colleague, with
Romanian's three plural forms, the seeded stage names translated and the typed ones as
typed; search and exports keep it in English."""

from __future__ import annotations

import pytest
from django.utils import translation

from clientela.activities.models import Activity
from clientela.core import phrases
from clientela.orders import services as orders
from clientela.orders.models import OrderStage
from clientela.tickets import services as tickets
from clientela.tickets.models import TicketStatus
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db


def test_a_phrase_is_put_into_words_in_the_language_of_the_moment():
    placed = phrases.gettext("%(order)s placed", order=phrases.gettext("Order %(n)s", n="#7"))
    lines = phrases.ngettext("%(n)d line", "%(n)d lines", 20, n=20)
    stored = phrases.Phrase.from_json(placed.as_json())
    assert stored == placed
    with translation.override("es"):
        assert str(stored) == "Pedido #7 realizado"
    with translation.override("ro"):
        assert str(stored) == "Comanda #7 plasată"
        assert str(lines) == "20 de linii"  # Romanian's third form
        assert str(phrases.ngettext("%(n)d line", "%(n)d lines", 2, n=2)) == "2 linii"
    assert str(lines) == "20 lines"


def test_marked_labels_keep_their_context_and_can_sit_in_lowercase():
    stage = phrases.gettext(
        "%(order)s: %(stage)s",
        order="#7",
        stage=OrderStage.objects.get(key=orders.PLACED).lazy_label,
    )
    status = phrases.gettext(
        "Ticket #%(number)s is %(status)s",
        number=3,
        status=phrases.in_lowercase(TicketStatus.RESOLVED.label),
    )
    again = [phrases.Phrase.from_json(p.as_json()) for p in (stage, status)]
    with translation.override("es"):
        assert [str(p) for p in again] == ["#7: Realizado", "Estado del ticket #3: resuelto"]
    assert str(again[1]) == "Ticket #3 is resolved"


def test_a_stage_the_business_typed_reads_as_typed():
    typed = OrderStage(key="packed", name="Împachetată")
    phrase = phrases.gettext("%(order)s: %(stage)s", order="#7", stage=typed.lazy_label)
    with translation.override("es"):
        assert str(phrases.Phrase.from_json(phrase.as_json())) == "#7: Împachetată"


def test_an_order_placed_in_romanian_reads_in_spanish_and_is_stored_in_english(user):
    shop = build_shop(user)
    with translation.override("ro"):
        order = orders.create_order_for_customer(
            actor=user,
            customer=shop["contact"],
            lines=[
                {"product": shop["chair"], "quantity": 2},
                {"product": shop["desk"], "quantity": 1},
            ],
        )
    entry = Activity.objects.get(subject__endswith="placed")
    # Search, exports and the API read the English text.
    assert (entry.subject, entry.body) == (f"Order #{order.pk} placed", "2 lines")
    with translation.override("es"):
        assert (entry.subject_shown, entry.body_shown) == (
            f"Pedido #{order.pk} realizado",
            "2 líneas",
        )
    with translation.override("hi"):
        assert str(entry) == f"ऑर्डर #{order.pk} दिया गया"


def test_a_typed_entry_is_shown_as_it_was_written():
    ticket = tickets.open_ticket(
        actor=None, channel="web_form", subject="Scaunul a sosit rupt", email="ioana@fm.ro"
    )
    opened = Activity.objects.get(subject__startswith="Ticket #")
    with translation.override("es"):
        # The sentence is the product's; the ticket's subject is the customer's words.
        assert opened.subject_shown == f"Ticket #{ticket.pk} abierto: Scaunul a sosit rupt"
    note = Activity.objects.create(kind="note", subject="Sunat", occurred_at=opened.occurred_at)
    with translation.override("es"):
        assert (note.subject_shown, str(note)) == ("Sunat", "Sunat")
