"""The person's notification preferences."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    in_app = forms.BooleanField(
        label=_("In the app"), required=False, help_text=_("Show notifications under the bell.")
    )
    email = forms.BooleanField(
        label=_("By e-mail"), required=False, help_text=_("Send each notification by e-mail.")
    )
