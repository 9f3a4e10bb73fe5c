"""Every write to the product catalogue, allowed by the same permissions as Django's admin
for products, validated by the model and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit
from clientela.orders.models import Product

if TYPE_CHECKING:
    from clientela.users.models import User

PRODUCT_FIELDS = ("sku", "name", "unit", "tax_rate", "active", "allows_backorder")


def may_manage_products(actor, action: str = "change") -> bool:
    """`action` is "add" or "change": what the admin asks of a staff member."""
    if actor is None:
        return True
    return bool(actor.is_active and actor.is_staff and actor.has_perm(f"orders.{action}_product"))


@transaction.atomic
def save_product(*, actor: User | None, product: Product | None, data: dict) -> Product:
    """Create a product (`product` None) or change the fields in `data`."""
    creating = product is None
    if not may_manage_products(actor, "add" if creating else "change"):
        raise PermissionDenied(_("Your role does not allow managing products."))
    before = None if product is None else audit.snapshot(product)
    product = Product() if product is None else product
    for name in PRODUCT_FIELDS:
        if name in data and data[name] is not None:
            value = data[name]
            setattr(product, name, " ".join(value.split()) if isinstance(value, str) else value)
    product.full_clean()
    product.save()
    audit.log(
        actor=actor,
        action="create" if creating else "update",
        record=product,
        before=before,
        after=audit.snapshot(product),
    )
    return product
