"""Shipments: parcels of an order's lines (all at once or in parts), their carrier and
tracking number, and the status history that moves the order to shipped and delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, phrases
from clientela.orders import services, stock
from clientela.orders.models import (
    Carrier,
    Order,
    OrderLine,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentStatus,
)

if TYPE_CHECKING:
    from clientela.users.models import User

CLOSED = {services.CANCELLED, services.RETURNED, services.DELIVERED}


def ship_refusal(order: Order) -> str:
    """Why the order can't ship now, which the order page says instead of offering the
    form; empty when it can."""
    if order.is_quote:
        return _("A quote can't ship: place the order first.")
    if order.stage.key in CLOSED:
        return _("This order is closed: nothing more ships.")
    if order.paid_at is None and not settings.ORDERS_SHIP_BEFORE_PAYMENT:
        return _("This order is not paid yet: it ships once its invoice is paid.")
    return ""


@transaction.atomic
def create_shipment(
    *,
    actor: User | None,
    order: Order,
    carrier: Carrier,
    quantities: dict[int, int],
    tracking_number: str = "",
) -> Shipment:
    """Ship `quantities` (order line id → how many) of an order; the stock leaves the
    warehouse now. When nothing is left to ship, the order moves to shipped."""
    services.may_edit(actor=actor, order=order)
    order.refresh_from_db()
    refusal = ship_refusal(order)
    if refusal:
        raise ValidationError(refusal)
    lines = {line.pk: line for line in order.lines.select_related("product")}
    wanted = {pk: n for pk, n in quantities.items() if n}
    if not wanted:
        raise ValidationError(_("Choose how many of each item this parcel holds."))
    for pk, quantity in wanted.items():
        line = lines.get(pk)
        if line is None:
            raise ValidationError(_("That line is not on this order."))
        if quantity < 0 or quantity > line.to_ship:
            raise ValidationError(
                _("%(item)s: %(n)d left to ship.") % {"item": line.description, "n": line.to_ship}
            )
    shipment = Shipment.objects.create(
        order=order, carrier=carrier, tracking_number=" ".join(tracking_number.split())[:60]
    )
    for pk, quantity in wanted.items():
        line = lines[pk]
        stock.take(
            actor=actor,
            product=line.product,
            warehouse=order.warehouse,
            quantity=quantity,
            order=order,
        )
        ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)
        OrderLine.objects.filter(pk=pk).update(
            shipped=line.shipped + quantity, reserved=max(line.reserved - quantity, 0)
        )
    ShipmentEvent.objects.create(
        shipment=shipment,
        status=ShipmentStatus.LABEL_CREATED,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    audit.log(actor=actor, action="create", record=shipment, after=audit.snapshot(shipment))
    services.timeline_event(
        actor=actor,
        order=order,
        subject=phrases.gettext("%(order)s shipped with %(carrier)s", order=order, carrier=carrier),
        body=phrases.gettext("Tracking number %(n)s", n=shipment.tracking_number)
        if shipment.tracking_number
        else "",
    )
    if not OrderLine.objects.filter(order=order, shipped__lt=F("quantity")).exists():
        services.advance_if_allowed(actor=actor, order=order, to=services.SHIPPED)
    return shipment


@transaction.atomic
def update_shipment(
    *, actor: User | None, shipment: Shipment, status: str, note: str = ""
) -> Shipment:
    """A new status in the parcel's history; when every parcel of a fully shipped order is
    delivered, the order is delivered."""
    services.may_edit(actor=actor, order=shipment.order)
    if status not in ShipmentStatus.values:
        raise ValidationError(_("Unknown shipment status."))
    if shipment.status == ShipmentStatus.DELIVERED:
        raise ValidationError(_("This parcel is delivered already."))
    before = audit.snapshot(shipment)
    Shipment.objects.filter(pk=shipment.pk).update(status=status)
    shipment.status = status
    ShipmentEvent.objects.create(
        shipment=shipment,
        status=status,
        at=timezone.now(),
        note=" ".join(note.split())[:200],
        actor=actor if getattr(actor, "pk", None) else None,
    )
    audit.log(
        actor=actor, action="update", record=shipment, before=before, after=audit.snapshot(shipment)
    )
    order = shipment.order
    services.timeline_event(
        actor=actor,
        order=order,
        subject=phrases.gettext(
            "%(shipment)s: %(status)s",
            shipment=shipment,
            status=ShipmentStatus(shipment.status).label,
        ),
        body=note,
    )
    all_delivered = not order.shipments.exclude(status=ShipmentStatus.DELIVERED).exists()
    if status == ShipmentStatus.DELIVERED and all_delivered:
        services.advance_if_allowed(actor=actor, order=order, to=services.DELIVERED)
    return shipment
