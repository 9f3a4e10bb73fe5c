"""Stock moves: each one conditional UPDATE on a stock level plus a movement row, so two
orders racing for the last unit can't both get it (R14), on SQLite and PostgreSQL alike.

Why no SELECT … FOR UPDATE: the guard is in the UPDATE's own WHERE. PostgreSQL re-checks
that condition on the newest row version after waiting for a concurrent writer's lock, and
SQLite runs writing transactions one at a time (BEGIN IMMEDIATE), so the check and the
change can't be split by another order on either database.

Like every service, each move takes its arguments by keyword with the acting user as
`actor` (None: the system itself, e.g. the demo's opening stock)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from clientela.orders.models import MovementKind, Product, StockLevel, StockMovement, Warehouse

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from clientela.orders.models import Order
    from clientela.users.models import User


def _level(product: Product, warehouse: Warehouse) -> QuerySet[StockLevel]:
    return StockLevel.objects.filter(product=product, warehouse=warehouse)


def _move(
    product: Product,
    warehouse: Warehouse,
    kind: str,
    quantity: int,
    *,
    actor: User | None,
    order: Order | None = None,
    note: str = "",
) -> None:
    StockMovement.objects.create(
        product=product,
        warehouse=warehouse,
        kind=kind,
        quantity=quantity,
        actor=actor if getattr(actor, "pk", None) else None,
        order=order,
        note=note,
    )


def available(*, product: Product, warehouse: Warehouse) -> int:
    level = _level(product, warehouse).first()
    return level.available if level else 0


def receive(
    *, actor: User | None, product: Product, warehouse: Warehouse, quantity: int, note: str = ""
) -> None:
    if quantity <= 0:
        raise ValidationError(_("Receive a quantity above zero."))
    StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
    _level(product, warehouse).update(on_hand=F("on_hand") + quantity)
    _move(product, warehouse, MovementKind.RECEIVED, quantity, actor=actor, note=note)


def adjust(
    *, actor: User | None, product: Product, warehouse: Warehouse, counted: int, note: str = ""
) -> None:
    """Set what is on hand to what was counted."""
    if counted < 0:
        raise ValidationError(_("A count can't be below zero."))
    level, _created = StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
    _level(product, warehouse).update(on_hand=counted)
    _move(
        product, warehouse, MovementKind.ADJUSTED, counted - level.on_hand, actor=actor, note=note
    )


def reserve(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order: Order | None = None,
) -> None:
    """Hold `quantity` for an order, or refuse when that much is not available (unless the
    product may be sold on backorder)."""
    taken = _level(product, warehouse).filter(on_hand__gte=F("reserved") + quantity)
    if not taken.update(reserved=F("reserved") + quantity):
        if not product.allows_backorder:
            raise ValidationError(
                _("Only %(n)d of %(product)s available in %(warehouse)s: the line was not saved.")
                % {
                    "n": max(available(product=product, warehouse=warehouse), 0),
                    "product": product.name,
                    "warehouse": warehouse.name,
                }
            )
        StockLevel.objects.get_or_create(product=product, warehouse=warehouse)
        _level(product, warehouse).update(reserved=F("reserved") + quantity)
    _move(product, warehouse, MovementKind.RESERVED, quantity, actor=actor, order=order)


def release(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order: Order | None = None,
) -> None:
    if quantity:
        _level(product, warehouse).update(reserved=F("reserved") - quantity)
        _move(product, warehouse, MovementKind.RELEASED, quantity, actor=actor, order=order)


def take(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order: Order | None = None,
) -> None:
    """Ship reserved units: they leave the warehouse."""
    taken = _level(product, warehouse).filter(on_hand__gte=quantity, reserved__gte=quantity)
    if not taken.update(on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity):
        raise ValidationError(
            _("%(product)s: not enough in %(warehouse)s to ship %(n)d.")
            % {"product": product.name, "warehouse": warehouse.name, "n": quantity}
        )
    _move(product, warehouse, MovementKind.SHIPPED, quantity, actor=actor, order=order)


def put_back(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order: Order | None = None,
) -> None:
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
