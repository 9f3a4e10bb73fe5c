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
    found = price_lists_for([customer], day)
    if not found:
        raise ValidationError(
            _("No price list is valid today for %(customer)s.") % {"customer": customer}
        )
    return found[key_of(customer)]


def price_lists_for(
    customers, day: datetime.date | None = None
) -> dict[tuple[str, int], PriceList]:
    """`price_list_for` of many customers in one query (an import's batch of orders): by
    ("contact"|"company", pk); a customer with no list valid that day is left out."""
    day = day or timezone.localdate()
    contacts = {c.pk for c in customers if isinstance(c, Contact)}
    companies = {c.pk for c in customers if isinstance(c, Company)}
    companies |= {c.company_id for c in customers if isinstance(c, Contact) and c.company_id}
    lists = list(
        PriceList.objects.filter(_valid_on(day))
        .filter(
            Q(contact_id__in=contacts)
            | Q(company_id__in=companies)
            | Q(is_default=True, contact__isnull=True, company__isnull=True)
        )
        .order_by("-valid_from", "-id")
    )
    own: dict[tuple[str, int | None], PriceList] = {}
    for price_list in lists:  # the newest of each customer's wins, as .first() picks it
        if price_list.contact_id:
            own.setdefault(("contact", price_list.contact_id), price_list)
        elif price_list.company_id:
            own.setdefault(("company", price_list.company_id), price_list)
        else:
            own.setdefault(("default", None), price_list)
    found = {}
    for customer in customers:
        candidates: list[tuple[str, int | None]] = [key_of(customer)]
        if isinstance(customer, Contact) and customer.company_id:
            candidates.append(("company", customer.company_id))
        candidates.append(("default", None))
        chosen = next((own[key] for key in candidates if key in own), None)
        if chosen is not None:
            found[key_of(customer)] = chosen
    return found


def key_of(customer) -> tuple[str, int]:
    return ("contact" if isinstance(customer, Contact) else "company", customer.pk)


def prices_of(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """Today's price of each (price list id, product id) pair that has one, in one query."""
    if not pairs:
        return {}
    lists = {list_id for list_id, _product in pairs}
    products = {product for _list, product in pairs}
    rows = Price.objects.filter(price_list_id__in=lists, product_id__in=products).values_list(
        "price_list_id", "product_id", "unit_price"
    )
    return {(list_id, product): price for list_id, product, price in rows}


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
