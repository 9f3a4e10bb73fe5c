"""The currency settings page's two forms: the base currency, and a rate for a day."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.currencies import selectors
from clientela.core.forms import DatePicker


class BaseCurrencyForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"),
        help_text=_(
            "Sums across currencies are shown in it. Rates entered for another base "
            "currency are kept but no longer used."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["currency"]).choices = selectors.currency_choices()


class RateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    # The browser's date field reads and writes ISO dates, whatever the page's language.
    day = forms.DateField(label=_("Day"), widget=DatePicker)
    # Localised: a Romanian types 4,9753.
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=20,
        decimal_places=8,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, base: str, **kwargs: Any) -> None:
        # The euro, the currency most often converted here (the dollar when it is the base).
        usual = "USD" if base == "EUR" else "EUR"
        kwargs.setdefault("initial", {"day": timezone.localdate(), "currency": usual})
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["currency"]).choices = [
            choice for choice in selectors.currency_choices() if choice[0] != base
        ]
        self.fields["rate"].help_text = _(
            "How many %(base)s one unit of the currency is worth."
        ) % {"base": base}
