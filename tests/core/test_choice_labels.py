"""A choice field's label (get_<field>_display) in the reader's language, however often
it is asked for and in whichever order the languages come."""

from __future__ import annotations

import pytest
from django.utils import translation

from clientela.tickets.models import Ticket


def test_a_choice_label_follows_the_active_language():
    ticket = Ticket(status="waiting", priority="urgent")
    with translation.override("en"):
        assert ticket.get_status_display() == "Waiting on customer"
        english_priority = ticket.get_priority_display()
    with translation.override("ro"):
        romanian = ticket.get_status_display()
        assert romanian != "Waiting on customer"
        assert romanian == str(Ticket._meta.get_field("status").flatchoices[2][1])
        assert ticket.get_priority_display() != english_priority
    with translation.override("en"):  # back again: not the language asked first or last
        assert ticket.get_status_display() == "Waiting on customer"


@pytest.mark.parametrize("language", ["en", "ro", "es", "hi"])
def test_every_label_is_the_one_django_would_give(language):
    with translation.override(language):
        for field_name in ("status", "priority", "channel"):
            field = Ticket._meta.get_field(field_name)
            for value, label in field.flatchoices:
                ticket = Ticket(**{field_name: value})
                assert getattr(ticket, f"get_{field_name}_display")() == str(label)
            unknown = Ticket(**{field_name: "no-such-value"})
            assert getattr(unknown, f"get_{field_name}_display")() == "no-such-value"
