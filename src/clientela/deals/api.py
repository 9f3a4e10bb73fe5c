"""Deals and pipelines in the API: the deals list's own filters and sorts, and every write
through the deal services (permissions, validation, audit, versions, stage history).

A deal moves to another stage, is won or lost, or reopened by a PATCH of `stage_id` or
`status` (with `lost_reason`): the same services as the board's moves and the deal page's
buttons, so the stage history and the audit trail say what happened."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.api.registry import Resource, register
from clientela.api.requests import api_field_names
from clientela.api.types import Currency, Date, Id, JsonObject, bounded_decimal, name_text, text
from clientela.core import presenting
from clientela.core.money import amount_text
from clientela.customers import selectors as customer_selectors
from clientela.customers.api import service_data, visible_custom
from clientela.customers.models import Source
from clientela.deals import listing, selectors, services
from clientela.deals.models import Deal, DealStatus, Pipeline, Stage

MAX_CONTACTS = 50
# The services' names for fields → the API's, so a 422 points at the field that was sent.
API_NAMES = {"stage": "stage_id", "company": "company_id", "reason": "lost_reason"}


class DealOut(Schema):
    id: int
    version: int
    name: str
    pipeline_id: int
    stage_id: int
    status: str
    lost_reason: str
    closed_at: datetime.datetime | None
    company_id: int | None
    contact_ids: list[int]
    amount: str | None = Field(
        None, description="A decimal as text; left out (null) for roles that may not see it."
    )
    currency: str
    expected_close: datetime.date | None
    source: str
    owner_id: int | None
    custom: dict
    stage_entered_at: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime


class DealFields(Schema):
    stage_id: Id | None = None
    company_id: Id | None = None
    contact_ids: list[Id] | None = Field(None, max_length=MAX_CONTACTS)
    amount: bounded_decimal(ge=Decimal(0), le=services.MAX_AMOUNT) | None = None
    currency: Currency | None = None
    expected_close: Date | None = None
    source: Literal[tuple(Source.values)] | None = None
    owner_id: Id | None = None
    custom: JsonObject | None = None


class DealIn(DealFields):
    name: name_text(200)
    pipeline_id: Id | None = Field(
        None, description="The first pipeline when left out; `stage_id` implies it."
    )


class DealUpdate(DealFields):
    name: name_text(200) = Field(None)
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    status: Literal[tuple(DealStatus.values)] | None = Field(
        None, description="`won`, `lost` (with `lost_reason`), or `open` to reopen."
    )
    lost_reason: text(200) = ""


class DealFilters(Schema):
    """The filters of the deals list, by the same names as the page's."""

    q: text(200) | None = None
    owner: str | None = Field(
        None, pattern=r"^(me|none|[0-9]{1,18})$", description="`me`, `none` or a user id."
    )
    team: Id | None = None
    pipeline: Id | None = None
    stage: Id | None = None
    status: Literal[tuple(DealStatus.values)] | None = None
    close_from: Date | None = None
    close_to: Date | None = None
    stale: bool | None = Field(
        None,
        description="`true`: only the open deals with nothing logged on them for "
        "`CLIENTELA_DEAL_STALE_DAYS` days (14 unless set; a deal never worked on counts from "
        "its creation), as the list's “Stale only”. `false` or left out: no such filter.",
    )


def deal_out(deal: Deal, user) -> dict:
    shown = presenting.present(user, deal)
    visible = visible_custom(user, "deal")
    fields = (
        "id",
        "version",
        "name",
        "pipeline_id",
        "stage_id",
        "status",
        "lost_reason",
        "closed_at",
        "company_id",
        "currency",
        "expected_close",
        "source",
        "owner_id",
        "stage_entered_at",
        "created_at",
        "updated_at",
    )
    return {
        **{name: getattr(shown, name) for name in fields},
        "contact_ids": [contact.pk for contact in deal.contacts.all()],
        "amount": amount_text(shown.amount),
        "custom": {k: v for k, v in (deal.custom or {}).items() if k in visible},
    }


def _stage(stage_id: int) -> Stage:
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise ValidationError({"stage_id": _("There is no such stage.")})
    return stage


def _deal_data(user, data: dict, deal: Deal | None = None) -> dict:
    """API fields → the service's: ids to records the user may use, hidden fields dropped."""
    data = service_data(user, "deal", data, deal.custom if deal else None)
    if "contact_ids" in data:
        ids = set(data.pop("contact_ids") or [])
        data["contacts"] = list(customer_selectors.contacts_for(user).filter(pk__in=ids))
        if len(data["contacts"]) != len(ids):
            raise ValidationError({"contact_ids": _("There is no such contact.")})
    if data.get("pipeline_id"):
        data["pipeline"] = Pipeline.objects.filter(pk=data["pipeline_id"]).first()
        if data["pipeline"] is None:
            raise ValidationError({"pipeline_id": _("There is no such pipeline.")})
    data.pop("pipeline_id", None)
    if data.get("stage_id"):
        data["stage"] = _stage(data["stage_id"])
        if data.get("pipeline") and data["stage"].pipeline_id != data["pipeline"].pk:
            raise ValidationError({"stage_id": _("That stage belongs to another pipeline.")})
    data.pop("stage_id", None)
    for name in ("amount", "currency", "source", "name"):
        if name in data and data[name] is None:
            data.pop(name)
    return data


def create_deal(user, data: dict) -> Deal:
    with api_field_names(API_NAMES):
        return services.create_deal(actor=user, data=_deal_data(user, data))


def update_deal(user, deal: Deal, data: dict, expected: int | None) -> Deal:
    """Fields through update_deal, then reopen, move and close through their own services,
    in one transaction; the version sent is checked by the first of them."""
    status = data.pop("status", None)
    reason = data.pop("lost_reason", "")
    stage_id = data.pop("stage_id", None)
    with api_field_names(API_NAMES):
        stage = _stage(stage_id) if stage_id else None
        fields = _deal_data(user, data, deal)
        steps = []
        if fields:
            steps.append(
                lambda d, v: services.update_deal(
                    actor=user, deal=d, data=fields, expected_version=v
                )
            )
        if status == DealStatus.OPEN and deal.status != DealStatus.OPEN:
            steps.append(lambda d, v: services.reopen_deal(actor=user, deal=d, expected_version=v))
        if stage is not None and stage.pk != deal.stage_id:
            steps.append(
                lambda d, v: services.move_deal(actor=user, deal=d, stage=stage, expected_version=v)
            )
        if status in (DealStatus.WON, DealStatus.LOST) and status != deal.status:
            steps.append(
                lambda d, v: services.close_deal(
                    actor=user, deal=d, outcome=status, reason=reason, expected_version=v
                )
            )
        if not steps:  # nothing to change: still checked and counted, as for contacts
            steps.append(
                lambda d, v: services.update_deal(actor=user, deal=d, data={}, expected_version=v)
            )
        for step in steps:
            deal = step(deal, expected)
            expected = None
    return deal


def filter_deals(user, queryset, params: dict, raw):
    data = {key: value for key, value in params.items() if value not in (None, "")}
    if data.get("owner", "").isdigit():
        data["owner"] = int(data["owner"])
    return selectors.filter_list(user, queryset, data)


register(
    Resource(
        name="deals",
        label="deal",
        model=Deal,
        out=DealOut,
        queryset=lambda user: selectors.deal_list(user).prefetch_related("contacts"),
        serialize=deal_out,
        list_spec=listing.deal_spec,
        default_sort="name",
        filters=DealFilters,
        apply_filters=filter_deals,
        updated_field="updated_at",
        create_in=DealIn,
        create=create_deal,
        update_in=DealUpdate,
        update=update_deal,
        delete=lambda user, deal: services.trash_deal(actor=user, deal=deal),
        versioned=True,
        description="The deals list's filters and sorts. PATCH `stage_id` to move a deal, "
        '`{"status": "won"}` or `{"status": "lost", "lost_reason": "…"}` to close it, '
        '`{"status": "open"}` to reopen it.',
    )
)


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    stages: list[StageOut]


def pipeline_out(pipeline: Pipeline, user) -> dict:
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "position": pipeline.position,
        "stages": [
            {"id": s.pk, "name": s.name, "position": s.position, "probability": s.probability}
            for s in pipeline.stages.all()
        ],
    }


register(
    Resource(
        name="pipelines",
        label="pipeline",
        model=Pipeline,
        out=PipelineOut,
        queryset=lambda user: Pipeline.objects.prefetch_related("stages"),
        serialize=pipeline_out,
        sorts={"position": ["position", "id"]},
        default_sort="position",
        description="Pipelines with their stages in order; changed on the settings page.",
    )
)
