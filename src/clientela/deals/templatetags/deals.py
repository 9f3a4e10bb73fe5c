"""The deals card of a contact's or company's page: their latest deals, and the way to all."""

from __future__ import annotations

from django import template

from clientela.core import permissions, presenting
from clientela.deals import selectors

register = template.Library()

SHOWN = 5


@register.inclusion_tag("deals/_customer_deals.html", takes_context=True)
def customer_deals(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)  # the page hands its presented record
    if permissions.scope(user, "deal", "view") == permissions.NONE:
        return {"hidden": True}
    deals = selectors.customer_deals(user, record, limit=SHOWN + 1)
    return {
        "deals": presenting.present_all(user, deals[:SHOWN]),
        "more": len(deals) > SHOWN,
        "token": f"{record_type}:{record.pk}",
        "can_add": permissions.scope(user, "deal", "edit") != permissions.NONE,
        "record_type": record_type,
        "record_id": record.pk,
    }
