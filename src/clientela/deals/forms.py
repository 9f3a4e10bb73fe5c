"""Forms of the deal pages: they parse input, services do the writing."""

from __future__ import annotations

from typing import cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DatePicker
from clientela.customers.forms import CustomFieldsMixin, company_field, owner_choices
from clientela.customers.models import Company, Contact, Source
from clientela.deals.models import DealStatus, Pipeline, Stage
from clientela.users.models import Team, User


class DealFilterForm(forms.Form):
    """Owner, team and expected close date: shared by the board and the list."""

    q = forms.CharField(required=False, max_length=200)
    owner = forms.CharField(required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    close_from = forms.DateField(required=False, widget=DatePicker)
    close_to = forms.DateField(required=False, widget=DatePicker)
    status = forms.ChoiceField(choices=[("", ""), *DealStatus.choices], required=False)
    closed_from = forms.DateField(required=False, widget=DatePicker)
    closed_to = forms.DateField(required=False, widget=DatePicker)
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.all(), required=False)
    stage = forms.ModelChoiceField(queryset=Stage.objects.all(), required=False)
    stale = forms.BooleanField(required=False)
    # "contact:12" or "company:3": the deals of one customer (its page's "see all").
    customer = forms.CharField(required=False)
    sort = forms.CharField(required=False)

    def clean_customer(self):
        kind, _sep, pk = self.cleaned_data["customer"].partition(":")
        model = {"contact": Contact, "company": Company}.get(kind)
        if model is None or not pk.isdigit():
            return None
        return model.objects.filter(pk=pk).first()

    def clean_owner(self):
        owner = self.cleaned_data["owner"].strip()
        if owner in {"", "me", "none"}:
            return owner
        return User.objects.filter(pk=owner).first() if owner.isdigit() else ""


def contacts_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Contacts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People at the company who take part in the deal."),
    )


def offer_contacts(form: forms.Form, contacts) -> None:
    """The company's people to choose from; before a company is named, a word on where
    they come from instead of an empty box."""
    field = cast("forms.ModelMultipleChoiceField[Contact]", form.fields["contacts"])
    field.queryset = contacts
    if not contacts.query.is_empty():
        return
    field.help_text = _("Name the company first: its people are offered here to choose from.")


class DealContactsForm(forms.Form):
    """The deal form's Contacts field alone, offered again when its company changes."""

    contacts = contacts_field()

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        offer_contacts(self, contacts)


class DealForm(CustomFieldsMixin, forms.Form):
    record_type = "deal"

    name = forms.CharField(label=_("Name"), max_length=200)
    company = company_field(help_text=_("An existing company by its name, or a new one."))
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DatePicker)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    contacts = contacts_field()
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, stages, contacts, custom: dict, has_lines=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_lines:
            # The amount is the total of the deal's product lines, in their currency.
            self.fields.pop("amount")
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = _("The currency of the deal's products.")
        # self.fields holds copies of the fields declared above, of the same classes.
        stage = cast("forms.ModelChoiceField[Stage]", self.fields["stage"])
        stage.queryset = stages
        # Replaces the method on this field object only, as Django's documentation shows;
        # a type checker reads it as a change to the class's method.
        stage.label_from_instance = lambda s: f"{s.pipeline.label} · {s.label}"  # type: ignore[method-assign, assignment]
        cast("forms.ChoiceField", self.fields["owner"]).choices = owner_choices()
        offer_contacts(self, contacts)
        # Typing or picking the company offers its people at once (deal_contacts).
        self.fields["company"].widget.attrs.update(
            {
                "hx-get": reverse("deals:deal-contacts"),
                "hx-trigger": "change",
                "hx-include": "this, [name='contacts']",
                "hx-target": "#field-for-id_contacts",
                "hx-select": "#field-for-id_contacts",
                "hx-swap": "outerHTML",
            }
        )
        self.add_custom_fields(custom, user)
        self.drop_hidden_fields()
