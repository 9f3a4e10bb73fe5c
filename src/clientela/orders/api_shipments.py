"""Shipments in the API: parcels of an order's lines and their tracking history (orders.api
imports this module, so the API finds it)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.api.registry import Action, Resource, exact_filters, register
from clientela.api.requests import api_field_names
from clientela.api.types import Id, text
from clientela.orders import selectors, services, shipping
from clientela.orders.api import MAX_QUANTITY, order_for
from clientela.orders.models import Carrier, Shipment, ShipmentStatus


class ShipmentLineOut(Schema):
    order_line_id: int
    quantity: int


class ShipmentEventOut(Schema):
    status: str
    at: datetime.datetime
    note: str


class ShipmentOut(Schema):
    id: int
    order_id: int
    carrier_id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    created_at: datetime.datetime
    lines: list[ShipmentLineOut]
    events: list[ShipmentEventOut]


class ShipmentLineIn(Schema):
    line_id: Id = Field(..., description="An order line's id.")
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)


class ShipmentIn(Schema):
    order_id: Id
    carrier_id: Id
    tracking_number: text(60) = ""
    lines: list[ShipmentLineIn] = Field(..., min_length=1, max_length=services.MAX_LINES)


class ShipmentEventIn(Schema):
    status: str = Field(..., pattern="^(" + "|".join(ShipmentStatus.values) + ")$")
    note: text(200) = ""


class ShipmentFilters(Schema):
    order: Id | None = None
    status: str | None = Field(None, pattern="^(" + "|".join(ShipmentStatus.values) + ")$")


def shipment_out(shipment: Shipment, user) -> dict:
    fields = ("id", "order_id", "carrier_id", "tracking_number", "tracking_url", "status")
    return {
        **{name: getattr(shipment, name) for name in fields},
        "carrier": shipment.carrier.name,
        "created_at": shipment.created_at,
        "lines": [
            {"order_line_id": line.order_line_id, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
        "events": [
            {"status": event.status, "at": event.at, "note": event.note}
            for event in shipment.events.all()
        ],
    }


def create_shipment(user, data: dict) -> Shipment:
    with api_field_names({}):
        order = order_for(user, data["order_id"])
        carrier = Carrier.objects.filter(pk=data["carrier_id"]).first()
        if carrier is None:
            raise ValidationError({"carrier_id": _("There is no such carrier.")})
        quantities: dict[int, int] = {}
        for line in data["lines"]:
            quantities[line["line_id"]] = quantities.get(line["line_id"], 0) + line["quantity"]
        return shipping.create_shipment(
            actor=user,
            order=order,
            carrier=carrier,
            quantities=quantities,
            tracking_number=data.get("tracking_number", ""),
        )


def add_shipment_event(user, shipment: Shipment, data: dict, _expected) -> Shipment:
    with api_field_names({}, default="status"):
        return shipping.update_shipment(
            actor=user, shipment=shipment, status=data["status"], note=data.get("note", "")
        )


register(
    Resource(
        name="shipments",
        label="shipment",
        model=Shipment,
        out=ShipmentOut,
        queryset=selectors.shipments_for,
        serialize=shipment_out,
        sorts={"created": ["created_at", "id"], "id": ["id"]},
        default_sort="-created",
        filters=ShipmentFilters,
        apply_filters=exact_filters({"order": "order_id", "status": "status"}),
        create_in=ShipmentIn,
        create=create_shipment,
        actions=[
            Action(
                "events",
                "Add a status to a shipment's tracking history",
                add_shipment_event,
                payload=ShipmentEventIn,
                description="`in_transit`, `delivered` or `exception`; when every parcel "
                "of a fully shipped order is delivered, the order is delivered.",
            )
        ],
        description="Parcels of an order's lines: the stock leaves the warehouse when one "
        "is created; when nothing is left to ship, the order moves to shipped.",
    )
)
