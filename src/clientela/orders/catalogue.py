"""Every write to the product catalogue and the stock counts, allowed to roles that manage
the catalogue, validated by the model and audited; and what an order stage may lead to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit, permissions, settings_pages, settings_services
from clientela.orders import services, stock
from clientela.orders.models import MovementKind, OrderStage, Product, StockLevel

if TYPE_CHECKING:
    from clientela.users.models import User

PRODUCT_FIELDS = ("sku", "name", "unit", "tax_rate", "active", "allows_backorder")


def _may_manage_products(actor) -> bool:
    return actor is None or permissions.can(actor, "manage_catalogue")


def save_product(*, actor: User | None, product: Product | None, data: dict) -> Product:
    """Create a product (`product` None) or change the fields in `data` (None: unchanged),
    through the settings lists' service, as the Products page does."""
    given = {name: data[name] for name in PRODUCT_FIELDS if data.get(name) is not None}
    saved = settings_services.save_setting(
        actor=actor, page=settings_pages.PAGES["products"], instance=product, data=given
    )
    assert isinstance(saved, Product)
    return saved


@transaction.atomic
def record_stock(*, actor: User | None, instance: StockLevel | None, data: dict) -> StockLevel:
    """Goods received (added to what is on hand) or counted (what is on hand now), as the
    Stock settings page enters them: a movement, and the stock level audited."""
    if not _may_manage_products(actor):
        raise PermissionDenied(_("Your role does not allow managing products."))
    product, warehouse = data["product"], data["warehouse"]
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    before = None if level is None else audit.snapshot(level)
    n, note = data["quantity"], data.get("note", "")
    if data["kind"] == MovementKind.RECEIVED:
        stock.receive(actor=actor, product=product, warehouse=warehouse, quantity=n, note=note)
    else:
        stock.adjust(actor=actor, product=product, warehouse=warehouse, counted=n, note=note)
    level = StockLevel.objects.select_related("product", "warehouse").get(
        product=product, warehouse=warehouse
    )
    audit.log(
        actor=actor,
        action="create" if before is None else "update",
        record=level,
        before=before,
        after=audit.snapshot(level),
    )
    return level


# Between two built-in stages only the steps the stock and invoices follow (a cancelled
# order back to placed would not reserve its stock again); a business's own stages lead
# anywhere.
BUILTIN_STEPS = {
    (key, target) for key, _name, targets in services.BUILTIN_STAGES for target in targets
}


def check_stage_transitions(stage: OrderStage | None, data: dict) -> None:
    """Refuse, before anything is written, next stages an order could not follow: the
    stage itself, a stage switched off (unless it already led there) or one that is gone,
    and a step between built-in stages the code does not know."""
    if "next_stages" not in data:
        return
    chosen = list(data["next_stages"])
    kept = set() if stage is None or stage.pk is None else {s.pk for s in stage.next_stages.all()}
    problems = []
    for target in chosen:
        if stage is not None and target.pk == stage.pk:
            problems.append(_("A stage can't lead to itself."))
        elif not OrderStage.objects.filter(pk=target.pk).exists():
            problems.append(_("The stage “%(name)s” no longer exists.") % {"name": target})
        elif not target.active and target.pk not in kept:
            problems.append(
                _("“%(name)s” is switched off: switch it on before orders can move to it.")
                % {"name": target}
            )
        elif (
            stage is not None
            and stage.builtin
            and target.builtin
            and (stage.key, target.key) not in BUILTIN_STEPS
        ):
            problems.append(
                _(
                    "“%(from)s” can't lead to “%(to)s”: between built-in stages only the steps "
                    "stock and invoices follow are offered."
                )
                % {"from": stage, "to": target}
            )
    if problems:
        raise ValidationError({"next_stages": problems})
