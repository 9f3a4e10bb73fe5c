"""The orders card of a contact's or company's page: recent orders and lifetime value."""

from __future__ import annotations

from django import template

from clientela.core import permissions, presenting
from clientela.orders import selectors

register = template.Library()


@register.inclusion_tag("orders/_customer_orders.html", takes_context=True)
def customer_orders(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)  # the page hands its presented record
    hidden = presenting.hides(user, "invoice", "total")
    return {
        "orders": presenting.present_all(user, selectors.customer_orders(user, record)),
        # Not even read for a user who may not see it.
        "lifetime": None if hidden else selectors.lifetime_value(user, record),
        "can_order": permissions.scope(user, "order", "edit") != permissions.NONE,
        "token": f"{record_type}:{record.pk}",
    }
