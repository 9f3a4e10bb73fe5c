"""Stock moves: each one conditional UPDATE on a stock level plus a movement row, so two
orders racing for the last unit can't both get it (R14), on SQLite and PostgreSQL alike.

Why no SELECT … FOR UPDATE: the guard is in the UPDATE's own WHERE. PostgreSQL re-checks
that condition on the newest row version after waiting for a concurrent writer's lock, and
SQLite runs writing transactions one at a time (BEGIN IMMEDIATE), so the check and the
change can't be split by another order on either database."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from clientela.orders.models import MovementKind, Product, StockLevel, StockMovement, Warehouse


def _level(product: Product, warehouse: Warehouse):
    return StockLevel.objects.filter(product=product, warehouse=warehouse)


def _move(product, warehouse, kind, quantity, *, actor=None, order=None, note="") -> None:
    StockMovement.objects.create(
        product=product,
        warehouse=warehouse,
        kind=kind,
        quantity=quantity,
        actor=actor if getattr(actor, "pk", None) else None,
        order=order,
        note=note,
    )


def available(product: Product, warehouse: Warehouse) -> int:
    level = _level(product, warehouse).first()
    return level.available if level else 0


def receive(product: Product, warehouse: Warehouse, quantity: int, *, actor=None, note="") -> None:
    if quantity <= 0:
        raise ValidationError(_("Receive a quantity above zero."))
    StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
    _level(product, warehouse).update(on_hand=F("on_hand") + quantity)
    _move(product, warehouse, MovementKind.RECEIVED, quantity, actor=actor, note=note)


def adjust(product: Product, warehouse: Warehouse, counted: int, *, actor=None, note="") -> None:
    """Set what is on hand to what was counted."""
    if counted < 0:
        raise ValidationError(_("A count can't be below zero."))
    level, _created = StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
    _level(product, warehouse).update(on_hand=counted)
    _move(
        product, warehouse, MovementKind.ADJUSTED, counted - level.on_hand, actor=actor, note=note
    )


def reserve(product: Product, warehouse: Warehouse, quantity: int, *, actor=None, order=None):
    """Hold `quantity` for an order, or refuse when that much is not available (unless the
    product may be sold on backorder)."""
    taken = _level(product, warehouse).filter(on_hand__gte=F("reserved") + quantity)
    if not taken.update(reserved=F("reserved") + quantity):
        if not product.allows_backorder:
            raise ValidationError(
                _("Only %(n)d of %(product)s available in %(warehouse)s: the line was not saved.")
                % {
                    "n": max(available(product, warehouse), 0),
                    "product": product.name,
                    "warehouse": warehouse.name,
                }
            )
        StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
        _level(product, warehouse).update(reserved=F("reserved") + quantity)
    _move(product, warehouse, MovementKind.RESERVED, quantity, actor=actor, order=order)


def release(product: Product, warehouse: Warehouse, quantity: int, *, actor=None, order=None):
    if quantity:
        _level(product, warehouse).update(reserved=F("reserved") - quantity)
        _move(product, warehouse, MovementKind.RELEASED, quantity, actor=actor, order=order)


def take(product: Product, warehouse: Warehouse, quantity: int, *, actor=None, order=None):
    """Ship reserved units: they leave the warehouse."""
    taken = _level(product, warehouse).filter(on_hand__gte=quantity, reserved__gte=quantity)
    if not taken.update(on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity):
        raise ValidationError(
            _("%(product)s: not enough in %(warehouse)s to ship %(n)d.")
            % {"product": product.name, "warehouse": warehouse.name, "n": quantity}
        )
    _move(product, warehouse, MovementKind.SHIPPED, quantity, actor=actor, order=order)


def put_back(product: Product, warehouse: Warehouse, quantity: int, *, actor=None, order=None):
    """Returned goods come back on hand."""
    if quantity:
        _level(product, warehouse).update(on_hand=F("on_hand") + quantity)
        _move(
            product,
            warehouse,
            MovementKind.RECEIVED,
            quantity,
            actor=actor,
            order=order,
            note=_("returned"),
        )
