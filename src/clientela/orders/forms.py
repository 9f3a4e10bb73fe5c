"""Forms of the order pages: they parse input, services do the writing."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DatePicker
from clientela.core.text import fold
from clientela.customers.models import Company, Contact
from clientela.orders.models import (
    ZERO,
    Carrier,
    MovementKind,
    OrderStage,
    PriceList,
    Product,
    ShipmentStatus,
    StockLevel,
    Warehouse,
    money,
)

MAX_ROWS = 200  # services.MAX_LINES: the order refuses more


def row_count(data) -> int:
    """How many line rows the form has: what it said it had ("rows"), at least up to the
    last row that was sent (a client that does not send "rows"), one at the least."""
    said = str(data.get("rows", ""))
    sent = [
        int(name.split("_", 1)[1])
        for name in data
        if name.startswith("product_") and name.split("_", 1)[1].isdigit()
    ]
    count = max(int(said) if said.isdigit() else 0, max(sent, default=-1) + 1, 1)
    return min(count, MAX_ROWS)


def rearranged(data, action: str):
    """The form's data after "add a row" or "remove row n": the rows renumbered, so the
    same form is drawn again with one more or one fewer (the way it works without
    JavaScript; htmx swaps only the rows)."""
    count = row_count(data)
    rows = [(data.get(f"product_{i}", ""), data.get(f"quantity_{i}", "")) for i in range(count)]
    if action == "add" and count < MAX_ROWS:
        rows.append(("", "1"))
    elif action.startswith("remove-") and action[7:].isdigit() and len(rows) > 1:
        index = int(action[7:])
        rows = rows[:index] + rows[index + 1 :]
    changed = data.copy()
    for i in range(count):
        changed.pop(f"product_{i}", None)
        changed.pop(f"quantity_{i}", None)
    for i, (product, quantity) in enumerate(rows):
        changed[f"product_{i}"], changed[f"quantity_{i}"] = product, quantity
    changed["rows"] = str(len(rows))
    return changed


class OrderForm(forms.Form):
    """A new quote or order, with as many line rows as it needs. Each line's product
    choice carries the price the user was shown ("12@450.00"), so a price that changed
    meanwhile is refused, not sold (R14)."""

    customer = forms.CharField(widget=forms.HiddenInput)
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)
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
        self.prices = {str(product.pk): price for product, price, _label in products}
        self.row_total = row_count(self.data if self.is_bound else self.initial)
        self.initial.setdefault("rows", self.row_total)
        for i in range(self.row_total):
            # Any value is accepted here: a price that changed since the page was shown
            # must reach the service, which says what the price is now.
            self.fields[f"product_{i}"] = forms.CharField(
                label=_("Product"), required=False, widget=forms.Select(choices=choices)
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=100000, required=False
            )

    def line_rows(self):
        """Each row's product and quantity fields, and its net as the form stands."""
        nets = self.running_total()["nets"]
        return [
            (self[f"product_{i}"], self[f"quantity_{i}"], nets[i]) for i in range(self.row_total)
        ]

    def running_total(self) -> dict:
        """Each row's net and the order's totals as the form stands, from today's prices
        (the service checks them again): what the page shows under the rows. A row not
        filled in yet has "" for its net; amounts are None for a user who may not see
        prices (the products carry none)."""
        nets: list = []
        net_total = tax_total = ZERO
        hidden = any(price is None for price in self.prices.values())
        for i in range(self.row_total):
            product_id = str(self._raw(f"product_{i}")).partition("@")[0]
            product, price = self.products.get(product_id), self.prices.get(product_id)
            quantity = str(self._raw(f"quantity_{i}") or "")
            if product is None or not quantity.isdigit():
                nets.append("")
                continue
            if price is None:
                nets.append(None)
                continue
            net = money(price * int(quantity))
            nets.append(net)
            net_total += net
            tax_total += money(net * product.tax_rate / 100)
        if hidden:
            return {"nets": nets, "net": None, "tax": None, "total": None}
        return {"nets": nets, "net": net_total, "tax": tax_total, "total": net_total + tax_total}

    def _raw(self, name: str):
        return self.data.get(name, "") if self.is_bound else self.initial.get(name, "")

    def clean(self):
        data = super().clean()
        lines = []
        for i in range(self.row_total):
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
    received_on = forms.DateField(label=_("Received on"), widget=DatePicker)
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
    placed_from = forms.DateField(required=False, widget=DatePicker)
    placed_to = forms.DateField(required=False, widget=DatePicker)
    # Only what was sold: placed, and neither cancelled nor returned (the dashboards' revenue).
    sold = forms.BooleanField(required=False)
    # In an unfinished stage for longer than the configured days.
    stuck = forms.BooleanField(required=False)


# Settings lists (core.settings_pages) -------------------------------------------------
class RecordByText(forms.ModelChoiceField):
    """A company or contact typed by its name or e-mail (a list of every one would be
    thousands of options); a name two of them share is refused with a clear message."""

    widget = forms.TextInput

    def __init__(self, *args, key: tuple[str, Callable[[str], str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key  # the indexed column to look the text up in, and how to write it there

    def to_python(self, value):
        text = " ".join(str(value or "").split())
        if not text:
            return None
        column, normal = self.key
        found = list(self.queryset.filter(**{column: normal(text)})[:2])
        if not found:
            raise forms.ValidationError(
                _("No %(what)s is called “%(text)s”."),
                params={"what": self.queryset.model._meta.verbose_name, "text": text},
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several are called “%(text)s”: type it in full."), params={"text": text}
            )
        return found[0]


class PriceListForm(forms.ModelForm):
    company = RecordByText(
        label=_("Only for the company"),
        queryset=Company.objects.live(),
        to_field_name="name",
        key=("name_key", lambda text: fold(text)[:200]),
        required=False,
    )
    contact = RecordByText(
        label=_("Only for the contact (e-mail)"),
        queryset=Contact.objects.live(),
        to_field_name="email",
        key=("email__iexact", str),
        required=False,
    )

    class Meta:
        model = PriceList
        fields = [
            "name",
            "currency",
            "valid_from",
            "valid_until",
            "is_default",
            "company",
            "contact",
        ]
        widgets = {"valid_from": DatePicker, "valid_until": DatePicker}


class StockForm(forms.Form):
    """Goods received, or a count of what is on hand: each a movement by the stock
    service. `instance` is taken for the settings pages' sake: a stock level is never
    edited as it is."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all())
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (MovementKind.RECEIVED, _("Goods received")),
            (MovementKind.ADJUSTED, _("Counted")),
        ],
        help_text=_("Received adds to what is on hand; counted sets it to the quantity."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=10_000_000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, instance: StockLevel | None = None, **kwargs):
        super().__init__(*args, **kwargs)


class OrderStageForm(forms.ModelForm):
    """An order stage: its name, key, place and whether it is in use, and the stages an
    order in it may move on to (those in use, and those it already leads to)."""

    class Meta:
        model = OrderStage
        fields = ["name", "key", "position", "active", "next_stages"]
        widgets = {"next_stages": forms.CheckboxSelectMultiple}
        help_texts = {
            "next_stages": _(
                "The stages an order in this one can go to next. Orders follow only these "
                "steps; the order page offers them as buttons."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stage = self.instance
        offered = OrderStage.objects.filter(active=True)
        if stage.pk is not None:
            offered = (offered | OrderStage.objects.filter(previous_stages=stage)).exclude(
                pk=stage.pk
            )
        self.fields["next_stages"].queryset = offered.distinct().order_by("position", "id")
