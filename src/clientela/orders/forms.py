"""Forms of the order pages: they parse input, services do the writing."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.orders.models import Carrier, ShipmentStatus

LINE_ROWS = 5


class OrderForm(forms.Form):
    """A new quote or order. Each line's product choice carries the price the user was
    shown ("12@450.00"), so a price that changed meanwhile is refused, not sold (R14)."""

    customer = forms.CharField(widget=forms.HiddenInput)
    quote = forms.BooleanField(label=_("Save as a quote (holds no stock)"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (f"{product.pk}@{price}" if price is not None else str(product.pk), label)
            for product, price, label in products
        ]
        self.products = {str(product.pk): product for product, _price, _label in products}
        for i in range(LINE_ROWS):
            # Any value is accepted here: a price that changed since the page was shown
            # must reach the service, which says what the price is now.
            self.fields[f"product_{i}"] = forms.CharField(
                label=_("Product"), required=False, widget=forms.Select(choices=choices)
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=100000, required=False
            )

    def line_rows(self):
        return [(self[f"product_{i}"], self[f"quantity_{i}"]) for i in range(LINE_ROWS)]

    def clean(self):
        data = super().clean()
        lines = []
        for i in range(LINE_ROWS):
            choice, quantity = data.get(f"product_{i}"), data.get(f"quantity_{i}")
            if not choice:
                continue
            product_id, _sep, price = choice.partition("@")
            product = self.products.get(product_id)
            if product is None:
                self.add_error(f"product_{i}", _("Choose a product from the list."))
                continue
            if not quantity:
                self.add_error(f"quantity_{i}", _("How many?"))
                continue
            lines.append({"product": product, "quantity": quantity, "unit_price": price})
        if not lines and not self.errors:
            raise forms.ValidationError(_("Add at least one line."))
        data["lines"] = lines
        return data


class StageForm(forms.Form):
    to = forms.SlugField()
    version = forms.IntegerField(min_value=1)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.CharField(label=_("Method"), max_length=40, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("A payment can't be received in the future."))
        return value


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Why is the invoice cancelled?"), max_length=200)


class ShipmentForm(forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.all())
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.to_ship]
        for line in self.lines:
            self.fields[f"ship_{line.pk}"] = forms.IntegerField(
                label=line.description, min_value=0, max_value=line.to_ship, initial=line.to_ship
            )

    def line_fields(self):
        return [(line, self[f"ship_{line.pk}"]) for line in self.lines]

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"ship_{line.pk}") or 0 for line in self.lines}


class ShipmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ShipmentStatus.choices)
    note = forms.CharField(max_length=200, required=False)


class OrderFilterForm(forms.Form):
    stage = forms.SlugField(required=False)
    owner = forms.CharField(required=False)
    placed_from = forms.DateField(required=False)
    placed_to = forms.DateField(required=False)
    # Only what was sold: placed, and neither cancelled nor returned (the dashboards' revenue).
    sold = forms.BooleanField(required=False)
