"""Every write to quotes and orders: creating them, their lines, and moving them between
stages, with the stock each step holds or gives back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from clientela.activities import services as activities
from clientela.activities.models import ActivityKind
from clientela.core import audit, custom_fields, permissions, phrases
from clientela.core.concurrency import claim_version
from clientela.customers.models import Company, Contact
from clientela.orders import pricing, stock
from clientela.orders.models import (
    ZERO,
    Order,
    OrderLine,
    OrderStage,
    PriceList,
    Product,
    StageChange,
    Warehouse,
)

if TYPE_CHECKING:
    import datetime

    from clientela.core.models import Record
    from clientela.users.models import User

QUOTE, PLACED, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED = (
    "quote",
    "placed",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "returned",
)
MAX_LINES = 200


# The built-in stages and where each may lead; a business adds its own in Settings.
BUILTIN_STAGES = [
    (QUOTE, _lazy("Quote"), [PLACED, CANCELLED]),
    (PLACED, _lazy("Placed"), [PAID, SHIPPED, CANCELLED]),
    (PAID, _lazy("Paid"), [SHIPPED, CANCELLED]),
    (SHIPPED, _lazy("Shipped"), [DELIVERED, RETURNED]),
    (DELIVERED, _lazy("Delivered"), [RETURNED]),
    (CANCELLED, _lazy("Cancelled"), []),
    (RETURNED, _lazy("Returned"), []),
]


def ensure_builtin_stages() -> None:
    """Create the built-in stages (a migration does it; a flushed test database needs it
    again); stages that exist are left as the business edited them."""
    stages = {}
    for position, (key, name, _targets) in enumerate(BUILTIN_STAGES):
        stages[key], _created = OrderStage.objects.get_or_create(
            key=key, defaults={"name": str(name), "position": position * 10, "builtin": True}
        )
    for key, _name, targets in BUILTIN_STAGES:
        stages[key].next_stages.add(*(stages[t] for t in targets))


def stage(key: str) -> OrderStage:
    found = OrderStage.objects.filter(key=key).first()
    if found is None:
        ensure_builtin_stages()
        found = OrderStage.objects.get(key=key)
    return found


def default_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.order_by("-is_default", "id").first()
    if warehouse is None:
        raise ValidationError(_("Add a warehouse first (Settings → Warehouses)."))
    return warehouse


def timeline_event(
    *,
    actor: User | None,
    order: Order,
    subject: str | phrases.Phrase,
    body: str | phrases.Phrase = "",
    also_on: Iterable[Record] = (),
) -> None:
    """One entry on the order's timeline and its customer's (and the contact's company),
    and on `also_on` (the deal an order was made from)."""
    records: list[Record] = [
        order,
        *(r for r in (order.contact, order.company) if r is not None),
        *also_on,
    ]
    activities.record_event(
        actor=actor, records=records, kind=ActivityKind.ORDER, subject=subject, body=body
    )


def check_line_count(lines: list) -> None:
    if not lines:
        raise ValidationError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise ValidationError(_("An order holds at most %(n)d lines.") % {"n": MAX_LINES})


def may_order_for(*, actor: User | None, customer: Contact | Company) -> None:
    if actor is None:
        return
    if not permissions.may_add(actor, "order"):
        raise PermissionDenied(_("Your role does not allow writing orders."))
    if not permissions.allows(actor, customer, "view"):
        raise PermissionDenied(_("You may not see %(record)s.") % {"record": customer})


def may_edit(*, actor: User | None, order: Order) -> None:
    permissions.check(actor, order, "edit")


def _quantity(raw: Any) -> int:
    try:
        quantity = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("The quantity must be a whole number.")) from None
    if quantity <= 0:
        raise ValidationError(_("The quantity must be above zero."))
    return quantity


def _seen_price(raw: object) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a price.") % {"value": raw}) from None


def _price_list(order: Order) -> PriceList:
    price_list = order.price_list
    assert price_list is not None  # set when the order was written
    return price_list


def _add_line(
    actor: User | None,
    order: Order,
    product: Product,
    quantity: object,
    seen_price: object,
    position: int,
    agreed: object = None,
    imported: bool = False,
) -> OrderLine:
    """Price the line from the order's price list now and lock that price on it; a price
    the user saw that is no longer valid is refused (R14). A price agreed with the
    customer (a won deal's) is locked instead, for a product the price list still sells.
    An order (not a quote) holds the stock at once. A line brought in from another system
    (`imported`) keeps its agreed price whatever the price list says, and holds no stock:
    the order was placed there, before."""
    quantity = _quantity(quantity)
    agreed_price = _seen_price(agreed)
    if imported and agreed_price is not None:
        price = agreed_price
    else:
        if not product.active:
            raise ValidationError(_("%(product)s is no longer sold.") % {"product": product.name})
        price = pricing.current_price(_price_list(order), product)
    seen = _seen_price(seen_price)
    if seen is not None:
        pricing.check_not_outdated(product, seen, price)
    if agreed_price is not None:
        if agreed_price < 0:
            raise ValidationError(_("A price can't be below zero."))
        price = agreed_price
    line = new_line(order, product, quantity, price, position, timezone.now())
    line.save()
    if not order.is_quote and not imported:
        _reserve(actor, order, line)
    return line


def new_line(
    order: Order,
    product: Product,
    quantity: int,
    price: Decimal,
    position: int,
    now: datetime.datetime,
) -> OrderLine:
    """A line at a price locked now, not saved yet."""
    return OrderLine(
        order=order,
        product=product,
        description=product.name,
        quantity=quantity,
        unit_price=price,
        tax_rate=product.tax_rate,
        priced_at=now,
        position=position,
    )


def imported_line(line: dict) -> tuple[int, Decimal | None]:
    """An imported line's quantity and agreed price (`product`, `quantity`,
    `agreed_price`), checked as `_add_line` checks them: one with no agreed price is priced
    from the list, so its product must still be sold."""
    quantity, agreed = _quantity(line["quantity"]), _seen_price(line.get("agreed_price"))
    if agreed is None and not line["product"].active:
        raise ValidationError(
            _("%(product)s is no longer sold.") % {"product": line["product"].name}
        )
    if agreed is not None and agreed < 0:
        raise ValidationError(_("A price can't be below zero."))
    return quantity, agreed


def _reserve(actor: User | None, order: Order, line: OrderLine) -> None:
    stock.reserve(
        actor=actor,
        product=line.product,
        warehouse=order.warehouse,
        quantity=line.quantity,
        order=order,
    )
    OrderLine.objects.filter(pk=line.pk).update(reserved=line.quantity)
    line.reserved = line.quantity


def _recompute_totals(order: Order) -> None:
    # From the table, not order.lines.all(): an order read with its lines prefetched would
    # total the lines it had before this change.
    lines = list(OrderLine.objects.filter(order=order))
    order.net_total = sum((line.net for line in lines), ZERO)
    order.tax_total = sum((line.tax for line in lines), ZERO)
    order.total = order.net_total + order.tax_total
    # update() skips auto_now: set updated_at, so API clients syncing by it see the change.
    order.updated_at = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        net_total=order.net_total,
        tax_total=order.tax_total,
        total=order.total,
        updated_at=order.updated_at,
    )


@transaction.atomic
def create_order_for_customer(
    *,
    actor: User | None,
    customer: Contact | Company,
    lines: list[dict],
    quote: bool = False,
    notes: str = "",
    warehouse: Warehouse | None = None,
    deal: Record | None = None,  # the won deal it comes from (deals sit above orders)
    imported: bool = False,
    placed_at: datetime.datetime | None = None,
    custom: dict | None = None,
) -> Order:
    """A quote or an order for a contact or company. `lines` are dicts with `product`,
    `quantity` and optionally `unit_price`: the price the user was shown, refused when it is
    no longer the valid one, or `agreed_price`: a price agreed with the customer, locked as
    it is. Reused by the deal → order conversion, which passes the `deal`: the order's
    timeline entry shows on the deal's too. An order brought in from another system is
    `imported`: its lines keep their agreed prices, and one `placed_at` a date then was
    placed then, holding no stock (the goods left long ago)."""
    may_order_for(actor=actor, customer=customer)
    check_line_count(lines)
    price_list = pricing.price_list_for(customer)
    now = timezone.now()
    if imported and placed_at is not None:
        quote, now = False, placed_at
    contact = customer if isinstance(customer, Contact) else None
    company = customer if isinstance(customer, Company) else customer.company
    order = Order.objects.create(
        owner=actor if getattr(actor, "pk", None) else customer.owner,
        contact=contact,
        company=company,
        stage=stage(QUOTE if quote else PLACED),
        stage_changed_at=now,
        placed_at=None if quote else now,
        currency=price_list.currency,
        price_list=price_list,
        warehouse=warehouse or default_warehouse(),
        notes=notes,
        custom=custom_fields.clean("order", custom) if custom else {},
    )
    for position, line in enumerate(lines):
        try:
            _add_line(
                actor,
                order,
                line["product"],
                line["quantity"],
                line.get("unit_price"),
                position,
                agreed=line.get("agreed_price"),
                imported=imported,
            )
        except ValidationError as error:
            # Which line was refused: the API names it (an attribute of this error only).
            error.line_index = position  # type: ignore[attr-defined]
            raise
    _recompute_totals(order)
    StageChange.objects.create(order=order, to_stage=order.stage, at=now, actor=_user(actor))
    audit.log(actor=actor, action="create", record=order, after=audit.snapshot(order))
    body = phrases.ngettext("%(n)d line", "%(n)d lines", len(lines), n=len(lines))
    if deal is not None:
        body = phrases.gettext("%(lines)s, from the deal “%(deal)s”", lines=body, deal=deal)
    timeline_event(
        actor=actor,
        order=order,
        subject=phrases.gettext("%(order)s created", order=order)
        if quote
        else phrases.gettext("%(order)s placed", order=order),
        body=body,
        also_on=[deal] if deal is not None else (),
    )
    return order


@transaction.atomic
def rewrite_imported_order(
    *, actor: User | None, order: Order, lines: list[dict], notes: str, custom: dict | None = None
) -> dict:
    """An order brought in from another system, written again from a corrected file (or
    put back by undoing that): its lines (`product`, `quantity`, `agreed_price`, kept as
    agreed, holding no stock) and notes replaced, one audit entry. Refused once it holds or
    shipped goods or has an invoice. Returns how it stood before, to put back."""
    may_edit(actor=actor, order=order)
    check_line_count(lines)
    old = list(OrderLine.objects.filter(order=order).order_by("position", "id"))
    if any(line.reserved or line.shipped for line in old) or order.invoices.exists():
        raise ValidationError(
            _("%(order)s holds goods or has an invoice: change it on its page.") % {"order": order}
        )
    state = {
        "notes": order.notes,
        "custom": order.custom,
        "lines": [
            {"product": line.product_id, "quantity": line.quantity, "price": str(line.unit_price)}
            for line in old
        ],
    }
    before = audit.snapshot(order)
    OrderLine.objects.filter(order=order).delete()
    for position, line in enumerate(lines):
        try:
            _add_line(
                actor,
                order,
                line["product"],
                line["quantity"],
                None,
                position,
                agreed=line.get("agreed_price"),
                imported=True,
            )
        except ValidationError as error:
            error.line_index = position  # type: ignore[attr-defined]
            raise
    if custom is not None:
        custom = custom_fields.clean("order", custom)
    if notes != order.notes or (custom is not None and custom != order.custom):
        order.notes, order.custom = notes, order.custom if custom is None else custom
        Order.objects.filter(pk=order.pk).update(notes=notes, custom=order.custom)
    _recompute_totals(order)
    audit.log(
        actor=actor, action="update", record=order, before=before, after=audit.snapshot(order)
    )
    return state


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def add_line(
    *,
    actor: User | None,
    order: Order,
    product: Product,
    quantity: object,
    unit_price: object = None,
    expected_version: int | None = None,
) -> OrderLine:
    """Add a line to a quote or to a placed order that has not been paid or shipped."""
    may_edit(actor=actor, order=order)
    if order.stage.key not in {QUOTE, PLACED}:
        raise ValidationError(_("Lines can be added only before an order is paid."))
    before = audit.snapshot(order)
    claim_version(order, expected_version)
    position = order.lines.count()
    line = _add_line(actor, order, product, quantity, unit_price, position)
    _recompute_totals(order)
    audit.log(
        actor=actor, action="update", record=order, before=before, after=audit.snapshot(order)
    )
    return line


def _transition_allowed(order: Order, target: OrderStage) -> None:
    if not order.stage.next_stages.filter(pk=target.pk).exists():
        raise ValidationError(
            _("An order can't go from “%(from)s” to “%(to)s”.")
            % {"from": order.stage.label, "to": target.label}
        )


def _place(actor: User | None, order: Order) -> None:
    """A quote becomes an order: every line must still be at the valid price (R14), and
    the stock is reserved."""
    today = pricing.price_list_for(order.customer)
    if today.pk != order.price_list_id:
        raise ValidationError(
            _("The price list of this quote is no longer valid: write a new quote.")
        )
    for line in order.lines.select_related("product"):
        pricing.check_not_outdated(
            line.product, line.unit_price, pricing.current_price(_price_list(order), line.product)
        )
        _reserve(actor, order, line)
    order.placed_at = timezone.now()


def _cancel(actor: User | None, order: Order) -> None:
    for line in order.lines.select_related("product"):
        if line.shipped:
            raise ValidationError(_("Part of this order has shipped: record a return instead."))
        stock.release(
            actor=actor,
            product=line.product,
            warehouse=order.warehouse,
            quantity=line.reserved,
            order=order,
        )
    order.lines.update(reserved=0)


def _return(actor: User | None, order: Order) -> None:
    for line in order.lines.select_related("product"):
        stock.put_back(
            actor=actor,
            product=line.product,
            warehouse=order.warehouse,
            quantity=line.shipped,
            order=order,
        )
        stock.release(
            actor=actor,
            product=line.product,
            warehouse=order.warehouse,
            quantity=line.reserved,
            order=order,
        )
    order.lines.update(reserved=0)


def _check_shipped(order: Order) -> None:
    if order.paid_at is None and not settings.ORDERS_SHIP_BEFORE_PAYMENT:
        raise ValidationError(_("This order is not paid yet: it can't ship before payment."))
    if any(line.to_ship for line in order.lines.all()):
        raise ValidationError(_("Create a shipment for the remaining items first."))


# Called as an order reaches a stage, in the same transaction: (order, stage key). Apps
# above orders register here (the desk asks a delivered order's customer for a rating).
STAGE_HOOKS: list[Callable[[Order, str], None]] = []


@transaction.atomic
def move_order(
    *,
    actor: User | None,
    order: Order,
    to: str,
    expected_version: int | None = None,
    note: str = "",
) -> Order:
    """Move an order to the stage `to` if its current stage leads there; built-in stages
    hold, release or take stock as they go. Timestamped, audited and on the timeline."""
    may_edit(actor=actor, order=order)
    target = OrderStage.objects.filter(key=to).first()
    if target is None:
        raise ValidationError(_("Unknown stage."))
    if not target.active:
        raise ValidationError(_("The stage “%(name)s” is switched off.") % {"name": target})
    before = audit.snapshot(order)
    claim_version(order, expected_version)
    order.refresh_from_db()
    _transition_allowed(order, target)
    if target.key == PLACED and order.placed_at is None:
        _place(actor, order)
    elif target.key == PAID:
        order.paid_at = order.paid_at or timezone.now()
    elif target.key == SHIPPED:
        _check_shipped(order)
    elif target.key == CANCELLED:
        _cancel(actor, order)
    elif target.key == RETURNED:
        _return(actor, order)
    now = timezone.now()
    StageChange.objects.create(
        order=order, from_stage=order.stage, to_stage=target, at=now, actor=_user(actor)
    )
    order.stage, order.stage_changed_at, order.updated_at = target, now, now
    Order.objects.filter(pk=order.pk).update(
        stage=target,
        stage_changed_at=now,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        updated_at=now,
    )
    audit.log(
        actor=actor, action="update", record=order, before=before, after=audit.snapshot(order)
    )
    timeline_event(
        actor=actor,
        order=order,
        subject=phrases.gettext("%(order)s: %(stage)s", order=order, stage=target.lazy_label),
        body=note,
    )
    for hook in STAGE_HOOKS:
        hook(order, target.key)
    return order


def advance_if_allowed(*, actor: User | None, order: Order, to: str) -> bool:
    """Move the order on by itself (paid when its invoice is paid, delivered when its
    parcels are) when its current stage leads there; otherwise leave it."""
    order.refresh_from_db()
    if order.stage.key == to or not order.stage.next_stages.filter(key=to).exists():
        return False
    move_order(actor=actor, order=order, to=to)
    return True
