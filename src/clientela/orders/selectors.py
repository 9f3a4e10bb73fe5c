"""Every read of orders, invoices and shipments, limited to what the user may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from clientela.core import permissions, search
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.currencies.selectors import Converted
from clientela.core.listing import day_start
from clientela.customers import selectors as customer_selectors
from clientela.customers.models import Company, Contact
from clientela.orders.models import (
    Invoice,
    Order,
    Price,
    Product,
    SellerDetails,
    Shipment,
    ShipmentEvent,
    money,
)


def orders_for(user, action: str = "view") -> QuerySet[Order]:
    """The one visibility rule for orders: within the user's role scope for orders."""
    return Order.objects.live().visible_to(user, action)


def order_list(user) -> QuerySet[Order]:
    return orders_for(user).select_related("stage", "contact", "company", "owner")


# A sale: an order placed and not undone (cancelled or returned); revenue counts these.
UNDONE_STAGES = ("cancelled", "returned")
SOLD = Q(placed_at__isnull=False) & ~Q(stage__key__in=UNDONE_STAGES)


# Stages an order is finished in: it cannot be stuck there.
FINISHED_STAGES = ("delivered", "cancelled", "returned")


def stuck_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.ORDER_STUCK_AFTER_DAYS)


def stuck_filter() -> Q:
    """Orders in an unfinished stage for longer than the configured days."""
    return Q(stage_changed_at__lt=stuck_cutoff()) & ~Q(stage__key__in=FINISHED_STAGES)


def is_stuck(order: Order, cutoff: datetime.datetime | None = None) -> bool:
    cutoff = cutoff or stuck_cutoff()
    return order.stage_changed_at < cutoff and order.stage.key not in FINISHED_STAGES


def stuck_orders(user, owner_ids: list[int], limit: int = 8) -> QuerySet[Order]:
    """These owners' orders stuck longest first: for a home page."""
    return (
        order_list(user)
        .filter(stuck_filter(), owner_id__in=owner_ids)
        .order_by("stage_changed_at", "id")[:limit]
    )


def filter_placed(queryset: QuerySet[Order], data: dict) -> QuerySet[Order]:
    """The list's placed-date filter (days in the current time zone) and "sold only"."""
    if data.get("placed_from"):
        queryset = queryset.filter(placed_at__gte=day_start(data["placed_from"]))
    if data.get("placed_to"):
        end = day_start(data["placed_to"]) + datetime.timedelta(days=1)
        queryset = queryset.filter(placed_at__lt=end)
    if data.get("sold"):
        queryset = queryset.filter(SOLD)
    if data.get("stuck"):
        queryset = queryset.filter(stuck_filter())
    return queryset


def order_detail(user, pk: int) -> Order:
    return (
        order_list(user)
        .select_related("price_list", "warehouse", "deal")
        .prefetch_related(
            "lines__product",
            Prefetch(
                "invoices",
                queryset=Invoice.objects.prefetch_related("payments", "corrections").order_by("id"),
            ),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.select_related("carrier").prefetch_related(
                    Prefetch("events", queryset=ShipmentEvent.objects.order_by("at", "id")),
                    "lines__order_line",
                ),
            ),
            "stage__next_stages",
        )
        .get(pk=pk)
    )


def source_deal(user, order: Order):
    """The deal the order was made from, when there is one the user may see."""
    deal = getattr(order, "deal", None)  # a reverse one-to-one: None once selected empty
    if deal is None or deal.deleted_at is not None or not permissions.allows(user, deal, "view"):
        return None
    return deal


def invoices_for(user) -> QuerySet[Invoice]:
    """Invoices and credit notes of the orders the user may see, with what a list shows."""
    return Invoice.objects.filter(order__in=orders_for(user)).prefetch_related(
        "lines", "payments", "corrections"
    )


def shipments_for(user) -> QuerySet[Shipment]:
    return (
        Shipment.objects.filter(order__in=orders_for(user))
        .select_related("carrier")
        .prefetch_related(
            "lines", Prefetch("events", queryset=ShipmentEvent.objects.order_by("at", "id"))
        )
    )


def products() -> QuerySet[Product]:
    """The catalogue: every user sees it (prices are shown only to who may see amounts)."""
    return Product.objects.prefetch_related(
        Prefetch("prices", queryset=Price.objects.select_related("price_list").order_by("id"))
    )


def seller() -> SellerDetails:
    """The seller's details as Settings keeps them; until they are first saved there, the
    CLIENTELA_SELLER_* settings (an unsaved row, which that page's form starts from)."""
    saved = SellerDetails.objects.order_by("pk").first()
    if saved is not None:
        return saved
    env = settings.SELLER
    text = {key: str(env.get(key, "")) for key in ("name", "address", "tax_id", "email")}
    return SellerDetails(
        **text,
        registration_number=str(env.get("registration_number", "")),
        bank=str(env.get("bank", "")),
        iban=str(env.get("bank_account", "")),
        payment_days=int(str(env.get("payment_days", 14))),
    )


def invoice_for(user, pk: int, action: str = "view") -> Invoice:
    return Invoice.objects.select_related("order").get(pk=pk, order__in=orders_for(user, action))


def shipment_for(user, pk: int, action: str = "view") -> Shipment:
    return Shipment.objects.select_related("order", "carrier").get(
        pk=pk, order__in=orders_for(user, action)
    )


def _customer_filter(customer) -> Q:
    if isinstance(customer, Contact):
        return Q(contact=customer)
    if isinstance(customer, Company):
        return Q(company=customer)
    return Q(pk__in=[])


def customer_orders(user, customer, limit: int = 10) -> list[Order]:
    return list(
        order_list(user).filter(_customer_filter(customer)).order_by("-created_at", "-id")[:limit]
    )


def customer_shipments(user, customer, limit: int = 10) -> list[Shipment]:
    """The customer's latest parcels, of the orders the user may see."""
    customer_orders = orders_for(user).filter(_customer_filter(customer))
    return list(
        Shipment.objects.filter(order__in=customer_orders)
        .select_related("order", "carrier")
        .order_by("-created_at", "-id")[:limit]
    )


def customer_order_files(user, customer, limit: int = 10) -> list:
    """The files attached to the customer's orders the user may see, latest first, each
    with its order (`file.order`): two queries whatever the number."""
    from django.contrib.contenttypes.models import ContentType

    from clientela.activities.models import Attachment

    customer_orders = orders_for(user).filter(_customer_filter(customer))
    files = list(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Order),
            object_id__in=customer_orders.values("pk"),
            activity__isnull=True,
        ).order_by("-created_at", "-id")[:limit]
    )
    orders = Order.objects.in_bulk({file.object_id for file in files})
    for file in files:
        file.order = orders[file.object_id]  # type: ignore[attr-defined]
    return files


def _invoiced_by_day(user, customer) -> list[dict[str, Any]]:
    """Invoiced minus credited per currency and issue day (in the active time zone), over
    the customer's orders the user sees."""
    rows = (
        Invoice.objects.filter(order__in=orders_for(user).filter(_customer_filter(customer)))
        .annotate(day=TruncDate("issued_at"))
        .values("currency", "day")
        .annotate(total=Sum("total"))
        .order_by("currency", "day")
    )
    return [dict(row) for row in rows]


def _by_currency(rows: list[dict]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["currency"]] += row["total"]
    return {currency: money(amount) for currency, amount in totals.items()}


def lifetime_value(user, customer) -> dict[str, Decimal]:
    """Invoiced minus credited, per currency, over the customer's orders the user sees."""
    return _by_currency(_invoiced_by_day(user, customer))


def lifetime_values(user, customer) -> tuple[dict[str, Decimal], Converted | None]:
    """The lifetime value per currency and (when there are invoices) its sum in the base
    currency, each invoice at the rate of its issue day; from one read of the invoices."""
    rows = _invoiced_by_day(user, customer)
    if not rows:
        return {}, None
    in_base = currency_selectors.convert(
        (row["currency"], row["day"], row["total"]) for row in rows
    )
    return _by_currency(rows), in_base


def customers_matching(user, query: str, limit: int = 10) -> tuple[list[Contact], list[Company]]:
    """The contacts and the companies `user` may see that match `query` as the lists' search
    box matches it (name, e-mail, phone), by name: whom a new order may be for."""
    contacts = (
        customer_selectors.contacts_for(user)
        .filter(pk__in=search.matching_ids(query, Contact))
        .select_related("company")
        .order_by("full_name", "pk")[:limit]
    )
    companies = (
        customer_selectors.companies_for(user)
        .filter(pk__in=search.matching_ids(query, Company))
        .order_by("name", "pk")[:limit]
    )
    return list(contacts), list(companies)
