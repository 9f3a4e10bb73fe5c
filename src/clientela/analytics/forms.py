"""The report builder's form: its choices are those of the record type chosen, as the
reader's role may see them (analytics.reports)."""

from __future__ import annotations

from typing import NoReturn

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clientela.analytics import rating, reports
from clientela.analytics.models import Measure, Schedule
from clientela.core import filter_rows, filters
from clientela.users.models import Role, Team


class ReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    record_type = forms.ChoiceField(label=_("Records"))
    group_by = forms.ChoiceField(label=_("Grouped by"))
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    measure_field = forms.ChoiceField(label=_("Of"), required=False)
    team = forms.ModelChoiceField(
        label=_("Share with team"), queryset=Team.objects.all(), required=False
    )
    role = forms.ModelChoiceField(
        label=_("Share with role"), queryset=Role.objects.all(), required=False
    )
    schedule = forms.ChoiceField(label=_("E-mail it"), choices=Schedule.choices, required=False)

    def __init__(self, *args, user, posted=None, **kwargs):
        """`posted`: the form as sent while it is being edited (a filter row added, the
        record type changed), drawn again without its figures or its errors."""
        if posted is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), **posted.dict()}
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["record_type"].choices = [
            (key, source.label) for key, source in reports.SOURCES.items()
        ]
        chosen = self.data.get("record_type") or self.initial.get("record_type") or "deal"
        self.source = reports.SOURCES.get(chosen, reports.SOURCES["deal"])
        self.filter_fields = filters.fields_of(self.source.model, user)
        self.editor = filter_rows.FilterEditor.read(
            self.source.model,
            user,
            self.filter_fields,
            spec=self.initial.get("filters"),
            posted=posted if posted is not None else (self.data if self.is_bound else None),
            record_type=self.source.key,
        )
        self.fields["group_by"].choices = [
            (key, grouping.label)
            for key, grouping in reports.groupings(self.source, user, self.filter_fields).items()
        ]
        self.fields["measure_field"].choices = [("", "—")] + [
            (key, field.label)
            for key, field in reports.measures(self.source, user, self.filter_fields).items()
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["filters"] = self.editor.spec()
        except filters.FilterError as error:
            self._filter_problem(error)
        try:
            self.definition = reports.checked(
                self.user,
                data["record_type"],
                data["filters"],
                data["group_by"],
                data["measure"],
                data.get("measure_field", ""),
            )
        except filters.FilterError as error:
            self._filter_problem(error)
        except reports.ReportError as error:
            raise ValidationError(str(error)) from None
        return data

    def _filter_problem(self, error: filters.FilterError) -> NoReturn:
        """Said beside the filter (a row's own problem is beside that row already)."""
        if self.editor.mode == filter_rows.TEXT or not any(r.error for r in self.editor.rows):
            self.editor.error = error.messages[0]
        raise ValidationError(_("The filters cannot be applied: see the message beside them."))


class RatingWeightsForm(forms.Form):
    """The people page's rating weights: a whole number from 0 to MAX_WEIGHT per part."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for part in rating.PARTS:
            self.fields[part.key] = forms.IntegerField(
                label=part.label, min_value=0, max_value=rating.MAX_WEIGHT
            )
