"""Every write to pipelines and deals: settings, create, edit, move, win, lose, trash."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core import audit, custom_fields, permissions, search
from clientela.core.concurrency import claim_version
from clientela.core.currencies import selectors as currency_selectors
from clientela.core.record_services import trash_record, untrash_record
from clientela.core.text import fold
from clientela.customers.models import Source
from clientela.deals.models import Deal, DealLine, DealStatus, Pipeline, Stage, StageChange
from clientela.orders import pricing
from clientela.orders import services as order_services
from clientela.orders.models import Order, PriceList, Product

if TYPE_CHECKING:
    from clientela.customers.models import Company, Contact
    from clientela.users.models import User

DEAL_FIELDS = ("name", "company", "expected_close", "source", "owner")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_STAGES = 20
MAX_LINES = order_services.MAX_LINES  # every line of a deal must fit on its order


# Pipelines (settings) ------------------------------------------------------------------
DEFAULT_PIPELINE = (
    ("Qualified", 10),
    ("Needs defined", 25),
    ("Proposal sent", 50),
    ("Negotiation", 75),
)


def ensure_pipeline() -> Pipeline:
    """The first pipeline, with default stages when there is none at all (a new
    installation must take deals at once; an administrator renames them after)."""
    pipeline = Pipeline.objects.first()
    if pipeline is not None:
        return pipeline
    # In English, shown in the reader's language (Pipeline.label, Stage.label).
    pipeline = Pipeline.objects.create(name="New business")
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=name, probability=probability, position=i)
        for i, (name, probability) in enumerate(DEFAULT_PIPELINE)
    )
    return pipeline


def _clean_stage_rows(rows: list[dict]) -> list[dict]:
    kept = [row for row in rows if not row.get("delete")]
    errors = []
    for row in kept:
        row["name"] = " ".join(str(row.get("name") or "").split())[:60]
        if not row["name"]:
            errors.append(_("Every stage needs a name."))
        try:
            probability = int(row.get("probability") or 0)
        except (TypeError, ValueError):
            probability = -1
        if not 0 <= probability <= 100:
            errors.append(
                _("The win probability of %(stage)s must be 0 to 100.") % {"stage": row["name"]}
            )
        row["probability"] = probability
    if not kept:
        errors.append(_("A pipeline needs at least one stage."))
    if len(kept) > MAX_STAGES:
        errors.append(_("At most %(n)d stages.") % {"n": MAX_STAGES})
    if errors:
        raise ValidationError({"stages": list(dict.fromkeys(errors))})
    return sorted(kept, key=lambda row: (int(row.get("position") or 0), rows.index(row)))


@transaction.atomic
def save_pipeline(
    *, actor: User | None, pipeline: Pipeline | None, name: str, stages: list[dict]
) -> Pipeline:
    """Create or change a pipeline and its stages in order. `stages` rows carry `id` (absent
    for a new stage), `name`, `probability`, `position` and `delete`. A stage that still
    holds deals cannot be deleted: move them first."""
    permissions.require(actor, "manage_settings")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError({"name": _("Give the pipeline a name.")})
    others = (
        Pipeline.objects.all() if pipeline is None else Pipeline.objects.exclude(pk=pipeline.pk)
    )
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is a pipeline with this name already.")})
    creating = pipeline is None
    before = None if pipeline is None else audit.snapshot(pipeline)
    rows = _clean_stage_rows([dict(row) for row in stages])
    if pipeline is None:
        pipeline = Pipeline.objects.create(name=name, position=Pipeline.objects.count())
    else:
        pipeline.name = name
        pipeline.save(update_fields=["name"])
    existing = {stage.pk: stage for stage in pipeline.stages.all()}
    wanted_ids = {int(row["id"]) for row in rows if str(row.get("id") or "").isdigit()}
    for stage_id in set(existing) - wanted_ids:
        try:
            with transaction.atomic():
                existing[stage_id].delete()
        except ProtectedError:
            raise ValidationError(
                {
                    "stages": _("%(stage)s still has deals: move them to another stage first.")
                    % {"stage": existing[stage_id].name}
                }
            ) from None
    for position, row in enumerate(rows):
        row_id = int(row["id"]) if str(row.get("id") or "").isdigit() else None
        stage = existing.get(row_id) if row_id is not None else None
        stage = stage or Stage(pipeline=pipeline)
        stage.name, stage.probability, stage.position = row["name"], row["probability"], position
        stage.save()
    audit.log(
        actor=actor,
        action="create" if creating else "update",
        record=pipeline,
        before=before,
        after=audit.snapshot(pipeline),
    )
    return pipeline


# Deals ---------------------------------------------------------------------------------
def parse_amount(value: object) -> Decimal:
    """An amount as typed ("12 500,50", "12500.5"): a Decimal with two places, never a float."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = (
            str(value if value is not None else "").strip().replace(" ", "").replace("\u00a0", "")
        )
        if not text:
            return Decimal("0.00")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        text = text.replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError({"amount": _("Enter an amount, like 12500.00.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"amount": _("Enter an amount of zero or more.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("That amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _clean_currency(value: str) -> str:
    currency = (value or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"currency": _("Use a three-letter currency, like RON or EUR.")})
    return currency


def _apply(actor: User | None, deal: Deal, data: dict) -> list | None:
    """Set the deal's fields from `data`; the contacts to set, or None to leave them."""
    for key in DEAL_FIELDS:
        if key in data:
            value = data[key]
            setattr(deal, key, value.strip() if isinstance(value, str) else value)
    deal.name = " ".join(deal.name.split())[:200]
    if not deal.name:
        raise ValidationError({"name": _("A deal needs a name.")})
    deal.name_key = fold(deal.name)[:200]
    if deal.source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if "amount" in data and not permissions.sees_sensitive(actor):
        data.pop("amount")  # a role that cannot see amounts leaves them as they were
    has_lines = deal.pk is not None and deal.lines.exists()
    if "amount" in data:
        amount = parse_amount(data["amount"])
        if has_lines and amount != deal.amount:
            raise ValidationError(
                {"amount": _("This deal's amount is the total of its products: change those.")}
            )
        deal.amount = amount
    if "currency" in data:
        currency = _clean_currency(data["currency"])
        if has_lines and currency != deal.currency:
            raise ValidationError(
                {
                    "currency": _("The products are priced in %(c)s: the currency stays.")
                    % {"c": deal.currency}
                }
            )
        deal.currency = currency
    if "custom" in data:
        deal.custom = custom_fields.clean("deal", data["custom"] or {})
    if "stage" in data and data["stage"] is not None:
        deal.stage = data["stage"]
    if "pipeline" in data and data["pipeline"] is not None:
        deal.pipeline = data["pipeline"]
    if deal.stage_id is None or deal.stage.pipeline_id != deal.pipeline_id:
        first = deal.pipeline.stages.first() if deal.pipeline_id else None
        if first is None:
            raise ValidationError({"stage": _("Choose a stage of the deal's pipeline.")})
        deal.stage = first
    contacts = data.get("contacts")
    return list(contacts) if contacts is not None else None


def _record_change(
    deal: Deal,
    actor: User | None,
    *,
    from_stage_id: int | None,
    status: str,
    at: datetime.datetime,
) -> None:
    StageChange.objects.create(
        deal=deal,
        from_stage_id=from_stage_id,
        to_stage_id=deal.stage_id,
        status=status,
        at=at,
        by=actor if getattr(actor, "pk", None) else None,
    )


def _finish(actor: User | None, deal: Deal, before: dict | None, action: str) -> Deal:
    search.index(deal)
    getattr(deal, "_prefetched_objects_cache", {}).clear()
    audit.log(
        actor=actor,
        action=action,
        record=deal,
        before=before,
        after=audit.snapshot(deal),
    )
    return deal


@transaction.atomic
def create_deal(*, actor: User | None, data: dict, now: datetime.datetime | None = None) -> Deal:
    permissions.check_add(actor, "deal")
    backdated = now is not None  # demo data and tests that build a history
    now = now or timezone.now()
    data = {"owner": actor, **data}
    deal = Deal(currency=currency_selectors.base_currency(), stage_entered_at=now)
    if data.get("pipeline") is None and data.get("stage") is None:
        data["pipeline"] = ensure_pipeline()
    elif data.get("pipeline") is None:
        data["pipeline"] = data["stage"].pipeline
    contacts = _apply(actor, deal, data)
    deal.save()
    if backdated:
        Deal.objects.filter(pk=deal.pk).update(created_at=now)
        deal.created_at = now
    if contacts is not None:
        deal.contacts.set(contacts)
    _record_change(deal, actor, from_stage_id=None, status=DealStatus.OPEN, at=now)
    return _finish(actor, deal, None, "create")


@transaction.atomic
def update_deal(*, actor: User, deal: Deal, data: dict, expected_version: int | None) -> Deal:
    """Change the given fields; a new stage counts as a move (kept in the stage history)."""
    permissions.check(actor, deal, "edit")
    claim_version(deal, expected_version)
    before = audit.snapshot(deal)
    previous_stage_id = deal.stage_id
    contacts = _apply(actor, deal, dict(data))
    now = timezone.now()
    moved = deal.stage_id != previous_stage_id
    if moved:
        deal.stage_entered_at = now
    deal.save()
    if contacts is not None:
        deal.contacts.set(contacts)
    if moved:
        _record_change(deal, actor, from_stage_id=previous_stage_id, status=deal.status, at=now)
    return _finish(actor, deal, before, "update")


@transaction.atomic
def move_deal(
    *,
    actor: User | None,
    deal: Deal,
    stage: Stage,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Deal:
    """Move an open deal to another stage of its pipeline (the board's drag and drop)."""
    permissions.check(actor, deal, "edit")
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": _("That stage belongs to another pipeline.")})
    if deal.status != DealStatus.OPEN:
        raise ValidationError(_("%(deal)s is closed: reopen it to move it.") % {"deal": deal})
    claim_version(deal, expected_version)
    if stage.pk == deal.stage_id:
        return deal
    now = now or timezone.now()
    before = audit.snapshot(deal)
    previous_stage_id = deal.stage_id
    deal.stage, deal.stage_entered_at = stage, now
    deal.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    _record_change(deal, actor, from_stage_id=previous_stage_id, status=DealStatus.OPEN, at=now)
    return _finish(actor, deal, before, "move")


@transaction.atomic
def close_deal(
    *,
    actor: User | None,
    deal: Deal,
    outcome: str,
    reason: str = "",
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Deal:
    """Mark a deal won or lost in one step; a lost deal says why."""
    permissions.check(actor, deal, "edit")
    if outcome not in {DealStatus.WON, DealStatus.LOST}:
        raise ValidationError({"outcome": _("Choose won or lost.")})
    reason = " ".join((reason or "").split())[:200]
    if outcome == DealStatus.LOST and not reason:
        raise ValidationError({"reason": _("Say why the deal was lost.")})
    if deal.status != DealStatus.OPEN:
        raise ValidationError(_("%(deal)s is already closed.") % {"deal": deal})
    claim_version(deal, expected_version)
    now = now or timezone.now()
    before = audit.snapshot(deal)
    deal.status, deal.closed_at = outcome, now
    deal.lost_reason = reason if outcome == DealStatus.LOST else ""
    deal.save(update_fields=["status", "closed_at", "lost_reason", "updated_at"])
    _record_change(deal, actor, from_stage_id=deal.stage_id, status=outcome, at=now)
    return _finish(actor, deal, before, outcome)


@transaction.atomic
def reopen_deal(*, actor: User, deal: Deal, expected_version: int | None) -> Deal:
    """Back to open in the stage it closed in: a deal closed by mistake."""
    permissions.check(actor, deal, "edit")
    if deal.status == DealStatus.OPEN:
        return deal
    if deal.order_id:
        raise ValidationError(_("%(deal)s became an order: it stays won.") % {"deal": deal})
    claim_version(deal, expected_version)
    now = timezone.now()
    before = audit.snapshot(deal)
    deal.status, deal.closed_at, deal.lost_reason = DealStatus.OPEN, None, ""
    deal.stage_entered_at = now
    deal.save(
        update_fields=["status", "closed_at", "lost_reason", "stage_entered_at", "updated_at"]
    )
    _record_change(deal, actor, from_stage_id=deal.stage_id, status=DealStatus.OPEN, at=now)
    return _finish(actor, deal, before, "reopen")


@transaction.atomic
def trash_deal(*, actor: User, deal: Deal) -> None:
    trash_record(actor=actor, record=deal)


@transaction.atomic
def restore_deal(*, actor: User, deal: Deal) -> None:
    untrash_record(actor=actor, record=deal)


# Product lines ------------------------------------------------------------------------
def deal_customer(deal: Deal) -> Company | Contact | None:
    """Who the deal's prices and its order are for: its company, else its first contact."""
    if deal.company_id:
        return deal.company
    return deal.contacts.order_by("name_key", "id").first()


def _price_list(deal: Deal) -> PriceList:
    customer = deal_customer(deal)
    if customer is None:
        raise ValidationError(
            _("Give %(deal)s a company or a contact first: prices depend on the customer.")
            % {"deal": deal}
        )
    return pricing.price_list_for(customer)


def _quantity(raw: object) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError({"quantity": _("The quantity must be a whole number.")}) from None
    if not 0 < quantity <= 100000:
        raise ValidationError({"quantity": _("The quantity must be 1 to 100000.")})
    return quantity


def _discount(raw: object) -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(",", ".").rstrip("%").strip()
    try:
        discount = Decimal(text or "0")
    except InvalidOperation:
        raise ValidationError({"discount": _("Enter a discount in percent, like 5.")}) from None
    if not discount.is_finite() or not 0 <= discount <= 100:
        raise ValidationError({"discount": _("The discount must be 0 to 100%.")})
    return discount.quantize(Decimal("0.01"))


def _set_terms(
    actor: User, line: DealLine, quantity: object, unit_price: object, discount: object
) -> None:
    """Quantity for everyone; price and discount only from a role that sees amounts (a role
    that does not leaves them as they are, the price list's for a new line)."""
    line.quantity = _quantity(quantity)
    if not permissions.sees_sensitive(actor):
        return
    if unit_price not in (None, ""):
        line.unit_price = parse_amount(unit_price)
    if discount is not None:
        line.discount = _discount(discount)


def _change_lines(
    actor: User, deal: Deal, expected_version: int | None, change: Callable[[], Any]
) -> Deal:
    """Change a deal's lines and set its amount to their total: one version of the deal,
    checked against the one the user saw, and one audit entry."""
    permissions.check(actor, deal, "edit")
    if deal.order_id:
        raise ValidationError(
            _("%(deal)s became an order already: change the order instead.") % {"deal": deal}
        )
    before = audit.snapshot(deal)
    # From here on the lines are read as they are written, not as the page loaded them.
    getattr(deal, "_prefetched_objects_cache", {}).pop("lines", None)
    claim_version(deal, expected_version)
    change()
    lines = list(deal.lines.all())
    deal.amount = sum((line.net for line in lines), Decimal("0.00"))
    if deal.amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("That amount is too large.")})
    deal.save(update_fields=["amount", "currency", "updated_at"])
    return _finish(actor, deal, before, "update")


@transaction.atomic
def add_deal_line(
    *,
    actor: User,
    deal: Deal,
    product: Product,
    quantity: object,
    unit_price: object = None,
    discount: object = None,
    expected_version: int | None,
) -> Deal:
    """Quote a product on the deal at the customer's price list price of today, or at the
    price agreed (a role that sees amounts may set it)."""

    def add() -> None:
        if not product.active:
            raise ValidationError(_("%(product)s is no longer sold.") % {"product": product.name})
        if deal.lines.count() >= MAX_LINES:
            raise ValidationError(_("A deal holds at most %(n)d products.") % {"n": MAX_LINES})
        price_list = _price_list(deal)
        if deal.lines.exists() and price_list.currency != deal.currency:
            raise ValidationError(
                _("The customer's prices are now in %(new)s, this deal's in %(old)s.")
                % {"new": price_list.currency, "old": deal.currency}
            )
        deal.currency = price_list.currency
        line = DealLine(
            deal=deal,
            product=product,
            unit_price=pricing.current_price(price_list, product),
            position=deal.lines.count(),
        )
        _set_terms(actor, line, quantity, unit_price, discount)
        line.save()

    return _change_lines(actor, deal, expected_version, add)


@transaction.atomic
def change_deal_line(
    *,
    actor: User,
    deal: Deal,
    line: DealLine,
    quantity: object,
    unit_price: object = None,
    discount: object = None,
    expected_version: int | None,
) -> Deal:
    def change() -> None:
        _set_terms(actor, line, quantity, unit_price, discount)
        line.save(update_fields=["quantity", "unit_price", "discount"])

    return _change_lines(actor, deal, expected_version, change)


@transaction.atomic
def remove_deal_line(
    *, actor: User, deal: Deal, line: DealLine, expected_version: int | None
) -> Deal:
    return _change_lines(actor, deal, expected_version, line.delete)


# Deal → order -------------------------------------------------------------------------
@transaction.atomic
def order_from_won_deal(*, actor: User, deal: Deal, expected_version: int | None = None) -> Order:
    """Turn a won deal into an order without retyping: an order for the deal's company (or
    its first contact) with the deal's products at the prices agreed, linked to the deal.
    Once per deal; a refusal by the order rules (stock, a product no longer sold) leaves
    nothing written."""
    permissions.check(actor, deal, "view")
    if deal.status != DealStatus.WON:
        raise ValidationError(
            _("%(deal)s is not won: only a won deal becomes an order.") % {"deal": deal}
        )
    if deal.order_id:
        raise ValidationError(
            _("%(deal)s became %(order)s already.") % {"deal": deal, "order": deal.order}
        )
    lines = list(deal.lines.select_related("product"))
    if not lines:
        raise ValidationError(
            _("%(deal)s has no products yet: add its product lines first.") % {"deal": deal}
        )
    customer = deal_customer(deal)
    if _price_list(deal).currency != deal.currency:
        raise ValidationError(
            _("The customer's prices are in another currency than the deal's (%(c)s).")
            % {"c": deal.currency}
        )
    assert customer is not None  # refused by _price_list above
    before = audit.snapshot(deal)
    claim_version(deal, expected_version)
    order = order_services.create_order_for_customer(
        actor=actor,
        customer=customer,
        lines=[
            {"product": line.product, "quantity": line.quantity, "agreed_price": line.agreed_price}
            for line in lines
        ],
        deal=deal,
    )
    # The same deal ordered at the same moment by someone else: one of the two wins.
    if not Deal.objects.filter(pk=deal.pk, order__isnull=True).update(order=order):
        raise ValidationError(_("%(deal)s became an order already.") % {"deal": deal})
    deal.order = order
    _finish(actor, deal, before, "update")
    return order
