"""The telephony settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DialTemplateForm(forms.Form):
    template = forms.CharField(
        label=_("Phone system's dial address"),
        required=False,
        max_length=200,
        widget=forms.URLInput(attrs={"placeholder": "https://pbx.example.com/dial?to={number}"}),
        help_text=_(
            "Leave empty to dial with the device's phone app (tel: links). With an address, "
            "a click on a number opens it with {number} replaced by the number in "
            "international form (+40722123456)."
        ),
    )
