"""The orders cards of a contact's or company's page: recent orders and lifetime value, the
customer's shipments, the files on their orders."""

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
    # Not even read for a user who may not see it.
    lifetime, in_base = (None, None) if hidden else selectors.lifetime_values(user, record)
    return {
        "orders": presenting.present_all(user, selectors.customer_orders(user, record)),
        "lifetime": lifetime,
        "lifetime_in_base": in_base,
        "can_order": permissions.scope(user, "order", "edit") != permissions.NONE,
        "token": f"{record_type}:{record.pk}",
    }


@register.inclusion_tag("orders/_customer_shipments.html", takes_context=True)
def customer_shipments(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)
    return {"shipments": selectors.customer_shipments(user, record)}


@register.inclusion_tag("orders/_customer_order_files.html", takes_context=True)
def customer_order_files(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)
    return {"files": selectors.customer_order_files(user, record)}
