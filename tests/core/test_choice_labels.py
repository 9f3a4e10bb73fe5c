"""A choice field's label (get_<field>_display) in the reader's language, however often
it is asked for and in whichever order the languages come."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import translation

from clientela.activities.models import Activity
from clientela.channels.models import Conversation, Message
from clientela.core import models as core_models
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


# The models whose labels a page shows row by row: records, timeline entries, messages.
ROW_LABELS = [
    (Ticket, ("status", "priority", "channel")),
    (Activity, ("kind", "direction")),
    (Conversation, ("channel", "state")),
    (Message, ("channel", "delivery", "direction")),
]


@pytest.mark.parametrize(
    ("model", "fields"), ROW_LABELS, ids=[model.__name__ for model, _fields in ROW_LABELS]
)
def test_a_list_of_rows_translates_each_fields_labels_once(model, fields):
    """A page of 50 rows asks each row's labels; the field's choices are read (and their
    lazy labels translated) once per language, not once a row, and the labels are still
    Django's own."""
    for field_name in fields:
        field = model._meta.get_field(field_name)
        values = [value for value, _label in field.flatchoices]
        rows = [model(**{field_name: values[i % len(values)]}) for i in range(50)]
        real = field.flatchoices
        core_models._CHOICE_LABELS.pop((field, "es"), None)
        with (
            translation.override("es"),
            mock.patch.object(
                type(field), "flatchoices", new_callable=mock.PropertyMock, return_value=real
            ) as flatchoices,
        ):
            shown = [getattr(row, f"get_{field_name}_display")() for row in rows]
        assert flatchoices.call_count == 1, field_name
        with translation.override("es"):
            expected = dict(field.flatchoices)
            assert shown == [str(expected[getattr(row, field.attname)]) for row in rows]
