"""The orders card of a contact's or company's page: recent orders and lifetime value."""

from __future__ import annotations

from django import template

from clientela.core import permissions
from clientela.orders import selectors

register = template.Library()


@register.inclusion_tag("orders/_customer_orders.html", takes_context=True)
def customer_orders(context, record, record_type: str):
    user = context["request"].user
    show_amounts = selectors.shows_amounts(user)
    return {
        "orders": selectors.customer_orders(user, record),
        "lifetime": selectors.lifetime_value(user, record) if show_amounts else {},
        "show_amounts": show_amounts,
        "can_order": permissions.scope(user, "order", "edit") != permissions.NONE,
        "token": f"{record_type}:{record.pk}",
    }
