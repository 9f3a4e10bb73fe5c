"""Forms of the Import pages that are not the import's own steps: correcting a number."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneCorrectionForm(forms.Form):
    """Data health's form beside each unverified number: the number (left as kept when
    only the country was wrong) and the country it is read in; the service checks both."""

    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        help_text=_("Two letters: RO, ES, IN, GB."),
        error_messages={"required": _("Choose the country the number is from.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
