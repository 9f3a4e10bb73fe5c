"""A date or time field shows its value to a reader in any language: the browser's picker
takes only ISO values (2026-12-06, 2026-12-06T09:30), and a day written the Romanian way
(06.12.2026) left the picker empty — the audit trail's filters forgot their dates, and a
deal edited in Romanian lost its expected close date on saving."""

from __future__ import annotations

import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

from clientela.core.forms import AuditFilterForm, DatePicker, DateTimePicker

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "src" / "clientela"


@pytest.mark.parametrize("language", ["en", "ro", "es", "hi"])
def test_the_audit_trails_dates_stay_in_their_pickers(language):
    with translation.override(language):
        form = AuditFilterForm({"since": "2026-12-01", "until": "2026-12-06"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["since"] == datetime.date(2026, 12, 1)
        html = str(form["since"]) + str(form["until"])
    assert 'type="date"' in html
    assert 'value="2026-12-01"' in html and 'value="2026-12-06"' in html


def test_a_date_and_time_keep_an_iso_value_in_romanian():
    class Due(forms.Form):
        due_at = forms.DateTimeField(widget=DateTimePicker)

    with translation.override("ro"):
        html = str(Due(initial={"due_at": datetime.datetime(2026, 12, 6, 9, 30)})["due_at"])
        bound = Due({"due_at": "2026-12-06T09:30"})
        assert bound.is_valid(), bound.errors
    assert 'type="datetime-local"' in html and 'value="2026-12-06T09:30"' in html


def _form_classes():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or "forms" not in path.stem:
            continue
        module = importlib.import_module(
            "clientela." + ".".join(path.relative_to(SOURCE).with_suffix("").parts)
        )
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_every_date_field_of_every_form_is_a_picker_with_an_iso_value():
    found, wrong = 0, []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            widget = field.widget
            if isinstance(widget, (forms.DateInput, forms.DateTimeInput)):
                found += 1
                if not isinstance(widget, (DatePicker, DateTimePicker)):
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert found >= 10  # the forms were read
    assert not wrong, "Use core.forms.DatePicker or DateTimePicker: " + ", ".join(wrong)
