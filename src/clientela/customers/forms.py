"""Forms of the contact and company pages: they parse input, services do the writing."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from clientela.core import custom_fields, permissions
from clientela.core.forms import DatePicker
from clientela.core.models import CustomField, FieldType
from clientela.core.text import fold
from clientela.customers.models import (
    CompanyStatus,
    LifecycleStage,
    Source,
)
from clientela.users import selectors as user_selectors


def company_field(**extra: Any) -> forms.CharField:
    """A field naming a company: as one types, app.js offers the companies like the text
    (`customers:company-suggest`) and "a new company"; an existing one is taken by its
    name, a new one is created, after `company_check` has had its say."""
    return forms.CharField(
        label=_("Company"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "data-suggest": reverse_lazy("customers:company-suggest"),
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
            }
        ),
        **extra,
    )


class QuickAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company = company_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="off", autofocus=True)
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "off"})
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})


def owner_choices(people=None):
    """The owner picker's choices: "No owner", then `people` (active people by name)."""
    people = user_selectors.by_name() if people is None else people
    return [("", _("No owner"))] + [(user.pk, user.display_name) for user in people]


class OwnerMixin:
    """An owner picker that reads the people once per form: the choices it offers, then
    the person chosen (a save reads no person again)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def offer_owners(self) -> None:
        self.owners = {user.pk: user for user in user_selectors.by_name()}
        self.fields["owner"].choices = owner_choices(self.owners.values())  # type: ignore[attr-defined]

    def chosen_owner(self):
        """The chosen person (one of those offered, as the field checks), or None."""
        return self.owners.get(self.cleaned_data["owner"]) if self.cleaned_data["owner"] else None


class CustomFieldsMixin:
    """Adds one form field per custom field definition, named custom__<key>."""

    record_type = ""
    # Given by the Form this is mixed into.
    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]
    cleaned_data: dict[str, Any]

    def add_custom_fields(self, values: dict, user) -> None:
        self.user, self.stored_custom = user, values
        # Read once: every definition (what the save checks values against), and of them
        # those the user may see (the fields shown).
        self.all_custom_definitions = custom_fields.definitions(self.record_type)
        self.custom_definitions = custom_fields.seen_by(user, self.all_custom_definitions)
        for definition in self.custom_definitions:
            name = f"custom__{definition.key}"
            self.fields[name] = custom_form_field(definition)
            self.initial.setdefault(name, initial_value(definition, values.get(definition.key)))

    def custom_values(self) -> dict:
        """The custom values to save: those edited here, plus the sensitive ones this
        user could not see, as they were."""
        edited = {d.key: self.cleaned_data.get(f"custom__{d.key}") for d in self.custom_definitions}
        return custom_fields.keep_hidden(
            self.record_type, self.user, self.stored_custom, edited, visible=self.custom_definitions
        )

    def drop_hidden_fields(self) -> None:
        for name in permissions.hidden_fields(self.user, self.record_type):
            self.fields.pop(name, None)

    def custom_field_names(self) -> list[str]:
        return [f"custom__{d.key}" for d in self.custom_definitions]


class _Common(TypedDict):
    label: str
    required: bool


def custom_form_field(definition: CustomField) -> forms.Field:
    common: _Common = {"label": definition.label, "required": False}
    kind = definition.field_type
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in definition.choices], **common
        )
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == FieldType.YES_NO:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=DatePicker, **common)
    if kind == FieldType.MONEY:
        return forms.CharField(help_text=_("Amount and currency, like 1250.00 EUR"), **common)
    if kind == FieldType.URL:
        return forms.CharField(widget=forms.URLInput, **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(**common)


def initial_value(definition: CustomField, value):
    if value is None:
        return None
    if definition.field_type == FieldType.YES_NO:
        return "yes" if value else "no"
    if definition.field_type == FieldType.MONEY:
        return f"{value['amount']} {value['currency']}"
    return value


class ContactForm(OwnerMixin, CustomFieldsMixin, forms.Form):
    record_type = "contact"

    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("As the person writes it. Left empty, it is given name + family name."),
    )
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    company = company_field()
    emails = forms.CharField(
        label=_("E-mails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main one."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, any format; the first is the main one."),
    )
    # The main address (the one invoices print); further ones come from imports and the API.
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        required=False,
        help_text=_("Two letters: RO, ES, IN, GB."),
    )
    lifecycle_stage = forms.ModelChoiceField(
        label=_("Lifecycle stage"), queryset=LifecycleStage.objects.all(), empty_label=None
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    marketing_consent = forms.BooleanField(label=_("Agrees to marketing"), required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Invoices and e-mails to this contact are written in it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, custom_values=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_owners()
        self.fields["language"].choices = [
            ("", _("The sender's language")),
            *settings.LANGUAGES,
        ]
        self.add_custom_fields(custom_values or {}, user)
        self.drop_hidden_fields()

    def clean(self):
        data = super().clean()
        if not (data.get("full_name") or data.get("given_name") or data.get("family_name")):
            self.add_error("full_name", _("A contact needs a name."))
        return data


class CompanyForm(OwnerMixin, CustomFieldsMixin, forms.Form):
    record_type = "company"

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    tax_id = forms.CharField(label=_("Tax id"), max_length=40, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    size = forms.CharField(label=_("Size"), max_length=20, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    status = forms.ChoiceField(label=_("Status"), choices=CompanyStatus.choices)
    emails = ContactForm.base_fields["emails"]
    phones = ContactForm.base_fields["phones"]
    street = ContactForm.base_fields["street"]
    city = ContactForm.base_fields["city"]
    postal_code = ContactForm.base_fields["postal_code"]
    region = ContactForm.base_fields["region"]
    country = ContactForm.base_fields["country"]
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    tags = ContactForm.base_fields["tags"]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, custom_values=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_owners()
        self.add_custom_fields(custom_values or {}, user)
        self.drop_hidden_fields()


def check_company(form: Any, user, posted, *, field: str = "company", company=None) -> list:
    """Before a company is created by its name: the companies like it that `user` may see,
    each offered to pick instead, with an error on `field`, unless the person confirmed
    (`company_new` posted with the same name) that it is a new one. `company`: the
    company the form edits (its own form), which then may not take another's exact name
    either; None for a field that names one (an exact name is that company)."""
    from clientela.customers.duplicates import company_check

    name = form.cleaned_data.get(field) or ""
    # What the template's box (customers/_company_suspects.html) shows.
    form.company_typed, form.company_suspects = " ".join(name.split()), []
    # The company of exactly that name the user may see, once looked up (None otherwise).
    form.company_found = None
    if company is not None and company.pk and fold(name) == company.name_key:
        return []  # its name unchanged
    form.company_found, suspects = company_check(
        user,
        name=name,
        confirmed=posted.get("company_new", ""),
        own_form=company is not None,
        exclude_id=company.pk if company is not None else None,
    )
    form.company_suspects = suspects
    if suspects:
        form.add_error(
            field,
            _("Looks like %(names)s. Pick it, or confirm that “%(name)s” is a new company.")
            % {"names": ", ".join(c.name for c in suspects), "name": " ".join(name.split())},
        )
    return suspects


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def tag_names(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


class ListFilterForm(forms.Form):
    """The filters of the contacts and companies lists, from the query string."""

    q = forms.CharField(required=False)
    owner = forms.CharField(required=False)
    stage = forms.ModelMultipleChoiceField(
        queryset=LifecycleStage.objects.all(), required=False, to_field_name="key"
    )
    tag = forms.CharField(required=False)
    created_from = forms.DateField(required=False, widget=DatePicker)
    created_to = forms.DateField(required=False, widget=DatePicker)
    updated_from = forms.DateField(required=False, widget=DatePicker)
    updated_to = forms.DateField(required=False, widget=DatePicker)
    contacted_from = forms.DateField(required=False, widget=DatePicker)
    contacted_to = forms.DateField(required=False, widget=DatePicker)
    inactive_days = forms.IntegerField(required=False, min_value=1, max_value=3650)
    stale = forms.BooleanField(required=False)
    sort = forms.CharField(required=False)
    cols = forms.CharField(required=False)


class InlineContactForm(forms.Form):
    """The fields edited in place on a contact's page."""

    full_name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    company = company_field()
    lifecycle_stage = forms.ModelChoiceField(
        label=_("Lifecycle stage"), queryset=LifecycleStage.objects.all(), empty_label=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices()


class InlineCompanyForm(forms.Form):
    """The fields edited in place on a company's page."""

    name = forms.CharField(label=_("Name"), max_length=200)
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    status = forms.ChoiceField(label=_("Status"), choices=CompanyStatus.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices()
