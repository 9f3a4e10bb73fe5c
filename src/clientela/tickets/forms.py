"""Forms of the ticket pages, the public request form and the desk's settings: they parse
input, the services write."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.activities.models import Priority
from clientela.orders.models import OrderStage
from clientela.tickets.models import (
    ArticleCategory,
    Assignment,
    Channel,
    Department,
    TicketStatus,
)
from clientela.tickets.selectors import SLA_OUTCOMES
from clientela.users import selectors as user_selectors
from clientela.users.models import User

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, as Django's documentation shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class IdsField(forms.Field):
    """Record ids sent as repeated hidden inputs; the view keeps those the user may see."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if any(not str(item).isdigit() or len(str(item)) > 18 for item in values):
            raise forms.ValidationError(_("Choose from the list."))
        return list(dict.fromkeys(int(item) for item in values))


def _people() -> forms.ModelChoiceField[User]:
    return forms.ModelChoiceField(queryset=User.objects.none(), required=False)


class TicketFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(
        required=False, choices=[("", ""), ("active", _("Not resolved")), *TicketStatus.choices]
    )
    priority = forms.ChoiceField(required=False, choices=[("", ""), *Priority.choices])
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False)
    assignee = forms.CharField(required=False)
    sla = forms.ChoiceField(required=False, choices=[("", ""), *SLA_OUTCOMES])

    def clean_assignee(self) -> Any:
        value = self.cleaned_data["assignee"].strip()
        if value in {"", "me", "none"}:
            return value
        return user_selectors.active_person(value) if value.isdigit() else ""


class TicketForm(forms.Form):
    """A ticket an agent enters: for a contact (from their page) or anyone by e-mail."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("What the customer asks"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    email = forms.EmailField(
        label=_("Customer's e-mail"),
        required=False,
        help_text=_("An existing contact with this e-mail, or a new one."),
    )
    name = forms.CharField(label=_("Customer's name"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("By the routing rules"),
    )
    attachments = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, contact: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        if contact is not None:
            del self.fields["email"]
            del self.fields["name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.contact is None and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email", _("Give the customer's e-mail, or open the ticket from their page.")
            )
        return data


class PublicRequestForm(forms.Form):
    """The request form anyone may send; `website` is a field people never see (a bot
    filling every field fills it too)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )
    website = forms.CharField(required=False, label=_("Leave this empty"))
    attachments = MultipleFileField(label=_("Files (optional)"))


class SurveyForm(forms.Form):
    """The customer's answer to a satisfaction survey: 1 (very unhappy) to 5 (very happy)."""

    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you received?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (1, _("1 · Very dissatisfied")),
            (2, _("2 · Dissatisfied")),
            (3, _("3 · Neither")),
            (4, _("4 · Satisfied")),
            (5, _("5 · Very satisfied")),
        ],
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(
        label=_("Internal note (the customer does not see it)"), required=False
    )
    status = forms.ChoiceField(required=False, choices=[("", ""), *TicketStatus.choices])
    attachments = MultipleFileField(label=_("Files"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Articles inserted into the reply (hidden inputs the insert adds): linked on sending.
    articles = IdsField()


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=TicketStatus.choices)
    version = forms.IntegerField(required=False)


class AssignForm(forms.Form):
    assignee = forms.CharField(required=False)
    version = forms.IntegerField(required=False)

    def clean_assignee(self) -> User | None:
        value = self.cleaned_data["assignee"].strip()
        if not value:
            return None
        person = user_selectors.active_person(value) if value.isdigit() else None
        if person is None:
            raise forms.ValidationError(_("Choose someone from the list."))
        return person


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("To department"), queryset=Department.objects.all())
    reason = forms.CharField(label=_("Why"), max_length=300)
    version = forms.IntegerField(required=False)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    lead = _people()
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assignment = forms.ChoiceField(label=_("Assign new tickets"), choices=Assignment.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, like 2026-12-25."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = user_selectors.by_name()
        lead = cast("forms.ModelChoiceField[User]", self.fields["lead"])
        lead.queryset, lead.label = people, pgettext_lazy("department", "Lead")
        cast("forms.ModelMultipleChoiceField[User]", self.fields["members"]).queryset = people
        zones = sorted(available_timezones())
        cast("forms.ChoiceField", self.fields["time_zone"]).choices = [(z, z) for z in zones]
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"opens_{day}"] = forms.CharField(
                label=_("%(day)s opens") % {"day": label}, required=False, max_length=5
            )
            self.fields[f"closes_{day}"] = forms.CharField(
                label=_("%(day)s closes") % {"day": label}, required=False, max_length=5
            )

    def hour_rows(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            day: (data.get(f"opens_{day}", "").strip(), data.get(f"closes_{day}", "").strip())
            for day in range(7)
        }

    def day_fields(self) -> list[tuple[Any, Any, Any]]:
        return [
            (label, self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in enumerate(WEEKDAYS)
        ]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    department = forms.ModelChoiceField(label=_("Send to"), queryset=Department.objects.all())
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=9999, initial=0)
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=500,
        required=False,
        help_text=_("Words in the subject or text, separated by commas: any one matches."),
    )
    customer_tag = forms.CharField(label=_("Customer tag or tier"), max_length=60, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *Channel.choices], required=False
    )
    language = forms.CharField(
        label=_("Language"), max_length=10, required=False, help_text=_("Like en, ro, es.")
    )
    order_stage = forms.ChoiceField(
        label=_("Order status"),
        required=False,
        help_text=_("The ticket's order, or else the customer's latest order, is in it."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = OrderStage.objects.values_list("key", "name")
        cast("forms.ChoiceField", self.fields["order_stage"]).choices = [
            ("", _("Any order status")),
            *stages,
        ]


class CannedReplyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Merge fields are filled from the ticket when the reply is sent."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ArticleCategory.objects.all(),
        required=False,
        empty_label=_("No category"),
    )
    body = forms.CharField(
        label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 16})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("New category"), max_length=80)


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    category = forms.ModelChoiceField(queryset=ArticleCategory.objects.all(), required=False)


class ComposeForm(forms.Form):
    """What the reply box holds when an agent inserts a canned reply or an article."""

    body = forms.CharField(required=False, max_length=40_000, strip=False)
    canned = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    article = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    articles = IdsField()


class LinkArticleForm(forms.Form):
    article = forms.IntegerField(min_value=1, max_value=2**62)


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("The other ticket's number"), min_value=1, max_value=2**62)
    keep = forms.ChoiceField(
        label=_("Keep"),
        choices=[("this", _("This ticket")), ("other", _("The other ticket"))],
        initial="this",
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
