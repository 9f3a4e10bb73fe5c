"""Shipments of orders: carriers, parcels with their lines and tracking events. Part of the
orders app's models (orders/models.py brings them in, so Django finds them there)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core import phrases


class Carrier(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    # "https://track.example/?n={tracking}": where a parcel's tracking page is.
    tracking_url_template = models.CharField(_("tracking link"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        link = self.tracking_url_template
        if link and (not link.startswith(("https://", "http://")) or "{tracking}" not in link):
            raise ValidationError(
                {
                    "tracking_url_template": _(
                        "A web address holding {tracking} where the parcel's number goes, "
                        "like https://track.example/?n={tracking}."
                    )
                }
            )


class ShipmentStatus(models.TextChoices):
    LABEL_CREATED = "label_created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")


class Shipment(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="+")
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.LABEL_CREATED,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tracking_number"], name="shipment_tracking_idx")]

    def __str__(self) -> str:
        return str(self.phrase)

    @property
    def phrase(self) -> phrases.Phrase:
        return phrases.gettext("Shipment %(n)s", n=self.tracking_number or f"#{self.pk}")

    @property
    def tracking_url(self) -> str:
        template = self.carrier.tracking_url_template
        if not template or not self.tracking_number:
            return ""
        return template.replace("{tracking}", quote(self.tracking_number, safe=""))


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()


class ShipmentEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    at = models.DateTimeField()
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
