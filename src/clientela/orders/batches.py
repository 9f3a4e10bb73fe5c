"""Orders brought in from another system, many at once (an import's batch): the checks,
rows, totals, stage history, audit entries and timeline entries
`create_order_for_customer(imported=True)` writes for each, in a few statements."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import batches as activity_batches
from clientela.activities.models import ActivityKind
from clientela.core import audit, bulk, custom_fields, phrases
from clientela.customers.models import Company, Contact
from clientela.orders import pricing
from clientela.orders.models import Order, OrderLine, Product, StageChange
from clientela.orders.services import (
    PLACED,
    QUOTE,
    check_line_count,
    default_warehouse,
    imported_line,
    may_order_for,
    new_line,
    stage,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from clientela.users.models import User


@dataclass
class NewOrder:
    """An imported order checked and waiting for its batch's write."""

    customer: Contact | Company
    # (product, quantity, agreed price or None: priced from the customer's list)
    lines: list[tuple[Product, int, Decimal | None]]
    notes: str = ""
    placed_at: datetime.datetime | None = None  # None: a quote
    custom: dict = field(default_factory=dict)


def prepare_imported_order(
    *,
    actor: User | None,
    customer: Contact | Company,
    lines: list[dict],
    notes: str = "",
    placed_at: datetime.datetime | None = None,
    custom: dict | None = None,
) -> NewOrder:
    """Check an imported order as `create_order_for_customer` does, writing nothing; a
    refused line's error says which (`line_index`)."""
    may_order_for(actor=actor, customer=customer)
    check_line_count(lines)
    checked = []
    for position, line in enumerate(lines):
        try:
            quantity, agreed = imported_line(line)
        except ValidationError as error:
            error.line_index = position  # type: ignore[attr-defined]
            raise
        checked.append((line["product"], quantity, agreed))
    cleaned = custom_fields.clean("order", custom) if custom else {}
    return NewOrder(customer, checked, notes, placed_at, cleaned)


@transaction.atomic
def create_imported_orders(*, actor: User | None, orders: list[NewOrder]) -> list[Order]:
    """Many checked imported orders (`prepare_imported_order`) at once: each customer's
    price list and the products' prices on them read together, then the orders, lines,
    stage history, audit entries and timeline entries written a statement each.
    ValidationError (and nothing written) when a line's product has no price on its
    customer's list: the caller writes the orders one by one to say which."""
    if not orders:
        return []
    lists = pricing.price_lists_for([item.customer for item in orders])
    for item in orders:
        if pricing.key_of(item.customer) not in lists:
            raise ValidationError(
                _("No price list is valid today for %(customer)s.") % {"customer": item.customer}
            )
    prices = pricing.prices_of(
        {
            (lists[pricing.key_of(item.customer)].pk, product.pk)
            for item in orders
            for product, _quantity, agreed in item.lines
            if agreed is None
        }
    )
    quote_stage, placed_stage, warehouse = stage(QUOTE), stage(PLACED), default_warehouse()
    now = timezone.now()
    made: list[Order] = []
    all_lines: list[OrderLine] = []
    for item in orders:
        price_list = lists[pricing.key_of(item.customer)]
        at = item.placed_at or now
        customer = item.customer
        order = Order(
            owner=actor if getattr(actor, "pk", None) else customer.owner,
            contact=customer if isinstance(customer, Contact) else None,
            company=customer if isinstance(customer, Company) else customer.company,
            stage=placed_stage if item.placed_at else quote_stage,
            stage_changed_at=at,
            placed_at=item.placed_at,
            currency=price_list.currency,
            price_list=price_list,
            warehouse=warehouse,
            notes=item.notes,
            custom=item.custom,
        )
        lines = []
        for position, (product, quantity, agreed) in enumerate(item.lines):
            price = agreed if agreed is not None else prices.get((price_list.pk, product.pk))
            if price is None:
                raise ValidationError(
                    _("%(product)s has no price on the price list “%(list)s”.")
                    % {"product": product.name, "list": price_list.name}
                )
            lines.append(new_line(order, product, quantity, price, position, now))
        order.net_total = sum((line.net for line in lines), order.net_total)
        order.tax_total = sum((line.tax for line in lines), order.tax_total)
        order.total = order.net_total + order.tax_total
        # The snapshot reads the lines from here, not with a query for each order.
        order._prefetched_objects_cache = {"lines": lines}  # type: ignore[attr-defined]
        made.append(order)
        all_lines += lines
    bulk.insert(Order, made)
    for line in all_lines:
        line.order_id = line.order.pk
    bulk.insert(OrderLine, all_lines)
    user = actor if getattr(actor, "pk", None) else None
    bulk.insert(
        StageChange,
        [StageChange(order=o, to_stage=o.stage, at=o.stage_changed_at, actor=user) for o in made],
    )
    audit.log_created(actor=actor, records=made)
    activity_batches.record_events(
        actor=actor,
        events=[
            (
                [o, *(r for r in (o.contact, o.company) if r is not None)],
                ActivityKind.ORDER,
                phrases.gettext("%(order)s created", order=o)
                if o.is_quote
                else phrases.gettext("%(order)s placed", order=o),
                phrases.ngettext(
                    "%(n)d line", "%(n)d lines", len(o.lines.all()), n=len(o.lines.all())
                ),
            )
            for o in made
        ],
    )
    return made
