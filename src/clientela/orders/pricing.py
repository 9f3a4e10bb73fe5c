"""Which price list a customer buys from, and what a product costs on it today (R14)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import presenting
from clientela.customers.models import Company, Contact
from clientela.orders.models import Price, PriceList, Product


def _valid_on(day: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def price_list_for(customer, day: datetime.date | None = None) -> PriceList:
    """The customer's own list valid today, else their company's, else the default one."""
    day = day or timezone.localdate()
    lists = PriceList.objects.filter(_valid_on(day))
    candidates = []
    if isinstance(customer, Contact):
        candidates.append(Q(contact=customer))
        if customer.company_id:
            candidates.append(Q(company_id=customer.company_id))
    elif isinstance(customer, Company):
        candidates.append(Q(company=customer))
    candidates.append(Q(is_default=True, contact__isnull=True, company__isnull=True))
    for condition in candidates:
        found = lists.filter(condition).order_by("-valid_from", "-id").first()
        if found is not None:
            return found
    raise ValidationError(
        _("No price list is valid today for %(customer)s.") % {"customer": customer}
    )


def current_price(price_list: PriceList, product: Product) -> Decimal:
    price = Price.objects.filter(price_list=price_list, product=product).first()
    if price is None:
        raise ValidationError(
            _("%(product)s has no price on the price list “%(list)s”.")
            % {"product": product.name, "list": price_list.name}
        )
    return price.unit_price


def prices_on(price_list: PriceList) -> dict[int, Decimal]:
    """Product id → price on this list, for a form that offers the products."""
    return dict(
        Price.objects.filter(price_list=price_list, product__active=True).values_list(
            "product_id", "unit_price"
        )
    )


def check_not_outdated(product: Product, seen: Decimal, current: Decimal) -> None:
    """Refuse a line written at a price that is no longer the valid one."""
    if Decimal(seen) != current:
        raise ValidationError(
            _(
                "The price of %(product)s is now %(current)s, not %(seen)s: "
                "the line was not saved. Review it at today's price."
            )
            % {"product": product.name, "current": current, "seen": seen}
        )


def product_choices(user, customer) -> tuple[PriceList | None, list]:
    """The customer's price list of today and the products on it, as (product, price,
    label) for a form; (None, []) when no list is valid. The price is None for a user who
    may not see it, and then stays out of the label and out of the page's source."""
    try:
        price_list = price_list_for(customer)
    except ValidationError:
        return None, []
    prices = prices_on(price_list)
    products = Product.objects.filter(pk__in=prices, active=True).order_by("name", "id")
    choices = []
    for product in products:
        price = presenting.shown(user, "price", "unit_price", prices[product.pk])
        label = f"{product.name} · {product.sku}"
        if price is not None:
            label += f" · {price} {price_list.currency}"
        choices.append((product, price, label))
    return price_list, choices
