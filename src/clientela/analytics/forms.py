"""The report builder's form: its choices are those of the record type chosen, as the
reader's role may see them (analytics.reports)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clientela.analytics import reports
from clientela.analytics.models import Measure, Schedule
from clientela.core import filters
from clientela.users.models import Role, Team


class ReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    record_type = forms.ChoiceField(label=_("Records"))
    group_by = forms.ChoiceField(label=_("Grouped by"))
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    measure_field = forms.ChoiceField(label=_("Of"), required=False)
    filters = forms.CharField(
        label=_("Filters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            'A list of conditions, such as [{"field": "stage", "op": "eq", "value": 3}], '
            'or a group {"any": [...]}. The fields you may use are listed below.'
        ),
    )
    team = forms.ModelChoiceField(
        label=_("Share with team"), queryset=Team.objects.all(), required=False
    )
    role = forms.ModelChoiceField(
        label=_("Share with role"), queryset=Role.objects.all(), required=False
    )
    schedule = forms.ChoiceField(label=_("E-mail it"), choices=Schedule.choices, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["record_type"].choices = [
            (key, source.label) for key, source in reports.SOURCES.items()
        ]
        chosen = self.data.get("record_type") or self.initial.get("record_type") or "deal"
        self.source = reports.SOURCES.get(chosen, reports.SOURCES["deal"])
        self.filter_fields = filters.fields_of(self.source.model, user)
        self.fields["group_by"].choices = [
            (key, grouping.label)
            for key, grouping in reports.groupings(self.source, user, self.filter_fields).items()
        ]
        self.fields["measure_field"].choices = [("", "—")] + [
            (key, field.label)
            for key, field in reports.measures(self.source, user, self.filter_fields).items()
        ]

    def clean_filters(self):
        try:
            return filters.parse(self.cleaned_data.get("filters") or "")
        except filters.FilterError as error:
            raise ValidationError(error.messages) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.definition = reports.checked(
                self.user,
                data["record_type"],
                data["filters"],
                data["group_by"],
                data["measure"],
                data.get("measure_field", ""),
            )
        except (filters.FilterError, reports.ReportError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise ValidationError(messages) from None
        return data
