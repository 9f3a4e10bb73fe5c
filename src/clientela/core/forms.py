"""Form helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from clientela.core.models import CustomField

if TYPE_CHECKING:
    from django.http import HttpRequest


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is always ISO (2026-12-06), whatever the
    reader's language: a day written the Romanian way (06.12.2026), Django's default for a
    Romanian reader, is no value for the picker, which then shows empty, and saves empty.
    The picker itself shows the day in the browser's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    """The browser's date and time picker, with an ISO value (2026-12-06T09:30) for the
    same reason as DatePicker."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
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


def submitted(request: HttpRequest, form: forms.Form, call: Callable[..., Any]) -> Any:
    """On a valid POST, `call(**form.cleaned_data)`; a service's ValidationError goes next to
    the fields. Returns the call's result, or None when nothing was done."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return call(**form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


class ChoicesField(forms.CharField):
    """A list of choices typed one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        lines = (" ".join(line.split()) for line in str(value or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class CustomFieldForm(forms.ModelForm):
    """A custom field of a record type. Its key names the values stored on the records, so
    it is fixed once the field exists."""

    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice or several choices: one per line."),
    )

    class Meta:
        model = CustomField
        fields = [
            "record_type",
            "label",
            "key",
            "field_type",
            "choices",
            "required",
            "sensitive",
            "position",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from clientela.core import records

        super().__init__(*args, **kwargs)
        self.fields["record_type"] = forms.ChoiceField(
            label=_("Record type"),
            choices=[(key, declared.label) for key, declared in records.TYPES.items()],
        )
        self.fields["key"].help_text = _("Letters, digits and dashes; the API and exports use it.")
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.fields["record_type"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("field_type") in {"choice", "multi_choice"} and not data.get("choices"):
            self.add_error("choices", _("Give the choices, one per line."))
        return data


class AuditFilterForm(forms.Form):
    """The audit trail's filters; each matches an index of AuditEntry."""

    actor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Person")
    )
    source = forms.ChoiceField(required=False, label=_("From"))
    record_type = forms.ChoiceField(required=False, label=_("Record type"))
    since = forms.DateField(required=False, label=_("From date"), widget=DatePicker)
    until = forms.DateField(required=False, label=_("To date"), widget=DatePicker)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        from clientela.core import audit
        from clientela.core.models import AuditSource

        super().__init__(*args, **kwargs)
        # self.fields holds copies of the fields declared above, of the same classes.
        actor = cast("forms.ModelChoiceField[Any]", self.fields["actor"])
        actor.queryset = get_user_model().objects.order_by("full_name", "email")
        actor.empty_label = _("Anyone")
        cast("forms.ChoiceField", self.fields["source"]).choices = [
            ("", _("Anywhere")),
            *AuditSource.choices,
        ]
        cast("forms.ChoiceField", self.fields["record_type"]).choices = [
            ("", _("Any record")),
            *((model._meta.model_name, model._meta.verbose_name) for model in audit.SNAPSHOTS),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "actor_id": data["actor"].pk if data["actor"] else None,
            "source": data["source"],
            "record_type": data["record_type"],
            "since": data["since"],
            "until": data["until"],
        }
