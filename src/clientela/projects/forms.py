"""Forms of the project pages: they parse input, services do the writing."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DatePicker
from clientela.customers.forms import company_field, owner_choices
from clientela.projects.models import ProjectStatus
from clientela.users.models import User


class ProjectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", ""), *ProjectStatus.choices], required=False)
    owner = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def clean_owner(self):
        owner = self.cleaned_data["owner"].strip()
        if owner in {"", "me", "none"}:
            return owner
        return User.objects.filter(pk=owner).first() if owner.isdigit() else ""


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    # The client, when the form is not opened from a client's page: a company by its name.
    company = company_field(help_text=_("The company the project is for."))
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DatePicker)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DatePicker)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["owner"]).choices = owner_choices()
        if client is not None:
            # Opened from a client's page, or editing: the client is fixed.
            self.fields.pop("company")
        else:
            self.fields["company"].required = True

    def clean(self):
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        return data
