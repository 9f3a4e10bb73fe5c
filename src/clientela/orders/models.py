"""Products, price lists, stock, quotes and orders, invoices (and, from shipment_models,
shipments)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core import phrases, seeded
from clientela.core.links import record_url
from clientela.core.models import Record
from clientela.orders.shipment_models import (  # noqa: F401 - the app's models, found here
    Carrier,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentStatus,
)


class _Money(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _Money = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Rounded to the cent, halves up, as invoices are."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Catalogue ------------------------------------------------------------------------------
class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=19)
    active = models.BooleanField(_("active"), default=True)
    allows_backorder = models.BooleanField(_("sell when out of stock"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PriceList(models.Model):
    """Prices in one currency for a time span; for one customer, or the default one."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, default="RON")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_default = models.BooleanField(_("default price list"), default=False)
    company = models.ForeignKey(
        "customers.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A price list can't end before it starts.")})


class Price(models.Model):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="prices"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices"
    )
    unit_price = models.DecimalField(_("unit price (before tax)"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product"],
                name="price_unique",
                violation_error_message=_("This product has a price on this list already."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="price_not_negative",
                violation_error_message=_("A price can't be below zero."),
            ),
        ]
        verbose_name = _("price")
        verbose_name_plural = _("prices")

    def __str__(self) -> str:  # no amount: it names the price in the audit trail
        return f"{self.product.name} · {self.price_list.name}"


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default warehouse"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """How much of a product a warehouse holds, and how much of that orders have reserved.
    Changed only by conditional UPDATEs in stock.py, so two orders can't both take the last
    unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} · {self.warehouse.name}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    RESERVED = "reserved", _("Reserved")
    RELEASED = "released", _("Released")
    SHIPPED = "shipped", _("Shipped")
    ADJUSTED = "adjusted", _("Adjusted")


class StockMovement(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    quantity = models.IntegerField(_("quantity"))
    order = models.ForeignKey(
        "Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="movements"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["product", "warehouse", "-at"], name="movement_idx")]


# Orders ---------------------------------------------------------------------------------
# The built-in stages (orders' migration 0002), stored in English.
SEEDED_STAGES = {
    "Quote": pgettext_lazy("order stage", "Quote"),
    "Placed": pgettext_lazy("order stage", "Placed"),
    "Paid": pgettext_lazy("order stage", "Paid"),
    "Shipped": pgettext_lazy("order stage", "Shipped"),
    "Delivered": pgettext_lazy("order stage", "Delivered"),
    "Cancelled": pgettext_lazy("order stage", "Cancelled"),
    "Returned": pgettext_lazy("order stage", "Returned"),
}


class OrderStage(models.Model):
    """A stage an order can be in. The built-in ones (quote, placed, paid, shipped,
    delivered, cancelled, returned) drive stock and invoices: their keys stay and they are
    never deleted or switched off; a business renames and reorders them, adds its own and
    the transitions into and out of them."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    builtin = models.BooleanField(default=False, editable=False)
    # A stage switched off is offered to no order (orders in it stay and move on from it).
    active = models.BooleanField(_("in use"), default=True, db_default=True)
    next_stages = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="previous_stages",
        verbose_name=_("may move on to"),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("order stage")
        verbose_name_plural = _("order stages")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (a built-in one; a typed one as typed)."""
        return seeded.label(self.name, SEEDED_STAGES)

    @property
    def lazy_label(self) -> str | Promise:
        return seeded.lazy_label(self.name, SEEDED_STAGES)


class Order(Record):
    """A quote or an order for a customer: a contact, a company, or a contact at a company."""

    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        "customers.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(OrderStage, on_delete=models.PROTECT, related_name="+")
    stage_changed_at = models.DateTimeField(_("stage since"))
    currency = models.CharField(_("currency"), max_length=3)
    price_list = models.ForeignKey(
        PriceList, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    # Kept in step with the lines, so lists and lifetime value read one row.
    net_total = models.DecimalField(_("net"), default=ZERO, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=ZERO, **MONEY)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False),
                name="order_has_customer",
            )
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_created_idx"),
            models.Index(fields=["stage", "-created_at", "-id"], name="order_stage_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="order_owner_idx"),
            models.Index(fields=["company", "-created_at"], name="order_company_idx"),
            models.Index(fields=["contact", "-created_at"], name="order_contact_idx"),
            # The list's placed-date filter and the dashboards' revenue by month.
            models.Index(fields=["placed_at", "id"], name="order_placed_idx"),
            # Orders stuck in a stage: the list's "stuck" filter and the home pages.
            models.Index(fields=["stage_changed_at", "id"], name="order_stage_since_idx"),
            # The API's `updated_since`, as contacts and companies have it (first made for
            # the forecast's read-time check, which writes now replace).
            models.Index(fields=["updated_at", "id"], name="order_updated_idx"),
        ]

    def __str__(self) -> str:
        return str(self.phrase)

    @property
    def phrase(self) -> phrases.Phrase:
        """How the order is named, in the reader's language when it is read."""
        if self.is_quote:
            return phrases.gettext("Quote %(n)s", n=self.number)
        return phrases.gettext("Order %(n)s", n=self.number)

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_quote(self) -> bool:
        return self.placed_at is None

    @property
    def customer(self):
        return self.contact or self.company

    def get_absolute_url(self) -> str:
        return record_url("orders:detail", self.pk)


class OrderLine(models.Model):
    """A product at the price valid when the line was written: the price is locked here."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    priced_at = models.DateTimeField(_("priced"))
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    shipped = models.PositiveIntegerField(_("shipped"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def net(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax(self) -> Decimal:
        return money(self.net * self.tax_rate / 100)

    @property
    def to_ship(self) -> int:
        return self.quantity - self.shipped


class StageChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        OrderStage, null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(OrderStage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]


# Invoices -------------------------------------------------------------------------------
class InvoiceSeries(models.Model):
    """A numbering series. `last_number` is raised in the transaction that issues the
    invoice, so numbers have no gaps and no two invoices share one."""

    prefix = models.CharField(_("prefix"), max_length=10, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")

    def __str__(self) -> str:
        return self.prefix


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class ImmutableInvoiceError(Exception):
    pass


class Invoice(models.Model):
    """Issued once, never changed: a mistake is corrected by a credit note."""

    # What the order page works out for each of its invoices before showing them.
    paid: Decimal | int
    due: Decimal
    settled: bool
    cancelled: bool
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    issued_at = models.DateTimeField(_("issued"))
    # When it is to be paid: the seller's payment terms from the day it was issued (none
    # on a credit note, nor on invoices issued before terms were kept).
    due_on = models.DateField(_("due"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(max_length=3)
    seller = models.JSONField()
    buyer = models.JSONField()
    net_total = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "sequence"], name="invoice_sequence_unique")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableInvoiceError(
                _("An issued invoice can't be changed; issue a credit note.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableInvoiceError(_("An issued invoice can't be deleted; issue a credit note."))

    @property
    def pdf_url(self) -> str:
        """Where it downloads as a PDF: declared sensitive, as its amounts are."""
        return record_url("orders:invoice-pdf", self.pk)


def validate_iban(value: str) -> None:
    """An IBAN's shape and its check digits (ISO 13616: the number mod 97 is 1), so a
    mistyped account is caught before it is printed on every invoice."""
    iban = value.replace(" ", "").upper()
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit()):
        raise ValidationError(_("An IBAN starts with two letters and two digits, like RO49 AAAA …"))
    if not iban.isalnum():
        raise ValidationError(_("An IBAN has only letters and digits."))
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationError(_("This IBAN's check digits do not match: look for a typo."))


class SellerDetails(models.Model):
    """The business's own details printed on its invoices: one row, kept in Settings. Until
    it is first saved, the CLIENTELA_SELLER_* settings stand in (orders.selectors.seller)."""

    name = models.CharField(_("company name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validate_iban])
    email = models.EmailField(_("e-mail for invoices"), blank=True)
    payment_days = models.PositiveSmallIntegerField(
        _("days to pay an invoice"),
        default=14,
        validators=[MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("seller's details")
        verbose_name_plural = _("seller's details")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.iban = " ".join(
            self.iban.replace(" ", "").upper()[i : i + 4]
            for i in range(0, len(self.iban.replace(" ", "")), 4)
        )

    def printed(self) -> dict:
        """What an invoice keeps of the seller, as it was the day it was issued."""
        return {
            "name": self.name,
            "address": self.address,
            "tax_id": self.tax_id,
            "registration_number": self.registration_number,
            "bank": self.bank,
            "bank_account": self.iban,
            "email": self.email,
        }


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=200)
    unit = models.CharField(max_length=20)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(**MONEY)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    net = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=40, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]
