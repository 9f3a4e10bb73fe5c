"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        name = field.replace("custom.", "custom__")
        if name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


def submitted(request, form: forms.Form, call):
    """On a valid POST, `call(**form.cleaned_data)`; a service's ValidationError goes next to
    the fields. Returns the call's result, or None when nothing was done."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return call(**form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
