"""Forms of the timeline composer, tasks and files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.activities.models import (
    ActivityKind,
    CallDirection,
    CallOutcome,
    Priority,
    RepeatFrequency,
    TaskRepeat,
)
from clientela.core.forms import DatePicker, DateTimePicker
from clientela.users import selectors as user_selectors


class ComposerForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, v) for k, v in ActivityKind.choices if k in {"note", "call", "meeting"}]
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=DateTimePicker,
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=CallDirection.choices, required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=24 * 60, required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *CallOutcome.choices], required=False
    )
    recording = forms.FileField(label=_("Recording"), required=False)
    callback_at = forms.DateTimeField(
        label=_("Call back"),
        required=False,
        widget=DateTimePicker,
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=DateTimePicker,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.CharField(label=_("Attendees"), max_length=500, required=False)
    meeting_outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)
    attendee_users = forms.TypedMultipleChoiceField(
        label=_("Colleagues attending"), coerce=int, required=False
    )
    invite = forms.BooleanField(label=_("Send invitations"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checked against the people who are active when the form is read.
        field = self.fields["attendee_users"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, pk) for pk in user_selectors.active().values_list("pk", flat=True)]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DateTimePicker)
    reminder_at = forms.DateTimeField(
        label=_("Remind me"),
        required=False,
        widget=DateTimePicker,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    assignee = forms.IntegerField(label=_("Assigned to"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # A new task may repeat (activities.recurrence); left empty, it does not.
    repeat = forms.ChoiceField(
        label=_("Repeats"), required=False, choices=[("", _("Never")), *RepeatFrequency.choices]
    )
    repeat_every = forms.IntegerField(
        label=_("Every"), required=False, min_value=1, max_value=99, initial=1
    )
    repeat_weekdays = forms.MultipleChoiceField(
        label=_("On"), required=False, choices=[(str(n), str(n)) for n in range(7)]
    )
    repeat_until = forms.DateField(label=_("Until"), required=False, widget=DatePicker)
    repeat_times = forms.IntegerField(label=_("Times"), required=False, min_value=1, max_value=999)

    def repeat_rule(self) -> TaskRepeat | None:
        """The rule the form describes, unsaved (the service checks and saves it)."""
        data = self.cleaned_data
        if not data.get("repeat"):
            return None
        return TaskRepeat(
            frequency=data["repeat"],
            interval=data.get("repeat_every") or 1,
            weekdays="".join(data.get("repeat_weekdays") or []),
            until=data.get("repeat_until"),
            times=data.get("repeat_times"),
        )


class TeamTasksForm(forms.Form):
    """The team task list's filters: one person, only what is overdue."""

    person = forms.IntegerField(required=False)
    overdue = forms.BooleanField(required=False)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class TimerForm(forms.Form):
    """What a timer is started on: a task, or a record (`ticket:42`), timing a call with
    the record's customer when `call` is set."""

    task = forms.IntegerField(min_value=1, required=False)
    record = forms.CharField(max_length=60, required=False)
    call = forms.BooleanField(required=False)
