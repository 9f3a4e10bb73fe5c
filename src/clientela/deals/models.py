"""Pipelines with their ordered stages, deals moving through them, and each move kept."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core import seeded
from clientela.core.links import record_url
from clientela.core.models import Record
from clientela.customers.models import Company, Contact, Source
from clientela.orders.models import MONEY, Order, Product, money

# The first pipeline and its stages (deals.services.ensure_pipeline), stored in English.
SEEDED_NAMES = {
    "New business": pgettext_lazy("pipeline", "New business"),
    "Qualified": pgettext_lazy("deal stage", "Qualified"),
    "Needs defined": pgettext_lazy("deal stage", "Needs defined"),
    "Proposal sent": pgettext_lazy("deal stage", "Proposal sent"),
    "Negotiation": pgettext_lazy("deal stage", "Negotiation"),
}


class Pipeline(models.Model):
    """A way of selling (new business, renewals, …) with its own stages."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the first pipeline's; a typed one as typed)."""
        return seeded.label(self.name, SEEDED_NAMES)


class Stage(models.Model):
    """An open step of a pipeline; won and lost are a deal's status, not stages."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # The chance, in percent, that a deal in this stage is won: weights the forecast.
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_percent"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (a seeded one; a typed one as typed)."""
        return seeded.label(self.name, SEEDED_NAMES)


class DealStatus(models.TextChoices):
    # "Open" alone is the button's verb; a deal's status is the adjective.
    OPEN = "open", pgettext_lazy("deal status", "Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(Record):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="deals"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="RON")
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the deal entered its stage: the board's "days in stage" without a join.
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    # The order a won deal became; one-to-one, so a deal can't be ordered twice.
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deal",
    )

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(
                fields=["pipeline", "status", "stage", "expected_close", "id"],
                name="deal_board_idx",
            ),
            models.Index(fields=["name_key", "id"], name="deal_name_idx"),
            models.Index(fields=["owner", "name_key", "id"], name="deal_owner_name_idx"),
            models.Index(fields=["expected_close", "id"], name="deal_close_idx"),
            models.Index(fields=["updated_at", "id"], name="deal_updated_idx"),
            models.Index(fields=["company", "status"], name="deal_company_idx"),
            # Deals won or lost in a period: the list's closed filter, win rate and cycle.
            models.Index(fields=["status", "closed_at"], name="deal_closed_idx"),
            # Open deals gone quiet: the list's "stale only" filter and the home pages.
            models.Index(fields=["status", "last_activity_at", "id"], name="deal_stale_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("deals:deal-detail", self.pk)


class DealLine(models.Model):
    """A product quoted on a deal: the unit price is agreed with the customer (it starts at
    the price list's and may be changed), less an optional discount."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deal_line_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="deal_line_price"),
            models.CheckConstraint(
                condition=Q(discount__gte=0, discount__lte=100), name="deal_line_discount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product.name}"

    @property
    def agreed_price(self) -> Decimal:
        """The unit price after the discount, to the cent: what an order line locks in, so
        the order's net is the deal's amount to the cent."""
        return money(self.unit_price * (100 - self.discount) / 100)

    @property
    def net(self) -> Decimal:
        return money(self.agreed_price * self.quantity)


class StageChange(models.Model):
    """One step in a deal's history: it entered `to_stage` (status open), or was won or
    lost in it. The time in a stage runs from one change to the next."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["deal", "at"], name="stage_change_deal_idx")]
