"""The contacts and companies lists: their columns, sorts and filters."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core import custom_fields
from clientela.core.listing import (
    Cell,
    Column,
    ListSpec,
    RelatedCells,
    custom_filter,
    day_start,
    person_cell,
)
from clientela.core.phones import display as display_phone
from clientela.core.phones import is_checked
from clientela.core.search import matching_ids
from clientela.customers import selectors
from clientela.customers.models import Company, Contact

NAME_SORTS = {
    "name": ["name_key", "id"],
    "created": ["created_at", "id"],
    "updated": ["updated_at", "id"],
}


def phone_cell(e164: str) -> Cell:
    """A record's main phone, marked "unverified" when an import kept it as written."""
    warning = _("unverified") if e164 and not is_checked(e164) else None
    return Cell(display_phone(e164), e164, "phone", warning)


def contact_spec(user) -> ListSpec:
    companies = RelatedCells(user)
    return ListSpec(
        record_type="contact",
        columns=[
            Column(
                "name",
                _("Name"),
                lambda c: Cell(c.full_name, c.get_absolute_url(), "link"),
                sort="name",
            ),
            Column(
                "company",
                _("Company"),
                lambda c: companies(c.company),
            ),
            Column("email", _("E-mail"), lambda c: Cell(c.email, kind="email")),
            Column("phone", _("Phone"), lambda c: phone_cell(c.phone)),
            Column("stage", _("Stage"), lambda c: Cell(c.lifecycle_stage.label, kind="badge")),
            Column("owner", _("Owner"), lambda c: person_cell(c.owner)),
            Column("position", _("Position"), lambda c: Cell(c.position), default=False),
            Column(
                "last_contacted",
                _("Last contacted"),
                lambda c: Cell(kind="date", extra=c.last_contacted_at),
                default=False,
            ),
            Column(
                "created",
                _("Created"),
                lambda c: Cell(kind="date", extra=c.created_at),
                sort="created",
                default=False,
            ),
            Column(
                "updated",
                _("Updated"),
                lambda c: Cell(kind="date", extra=c.updated_at),
                sort="updated",
            ),
            Column("source", _("Source"), lambda c: Cell(c.get_source_display()), default=False),
        ],
        sorts=NAME_SORTS,
        default_sort="name",
        custom=custom_fields.definitions("contact", user),
    )


def company_spec(user) -> ListSpec:
    return ListSpec(
        record_type="company",
        columns=[
            Column(
                "name",
                _("Name"),
                lambda c: Cell(c.name, c.get_absolute_url(), "link"),
                sort="name",
            ),
            Column("industry", _("Industry"), lambda c: Cell(c.industry)),
            Column("email", _("E-mail"), lambda c: Cell(c.email, kind="email")),
            Column("phone", _("Phone"), lambda c: phone_cell(c.phone)),
            Column("status", _("Status"), lambda c: Cell(c.get_status_display(), kind="badge")),
            Column("owner", _("Owner"), lambda c: person_cell(c.owner)),
            Column(
                "website", _("Website"), lambda c: Cell(c.website, c.website, "link"), default=False
            ),
            Column(
                "created",
                _("Created"),
                lambda c: Cell(kind="date", extra=c.created_at),
                sort="created",
                default=False,
            ),
            Column(
                "updated",
                _("Updated"),
                lambda c: Cell(kind="date", extra=c.updated_at),
                sort="updated",
            ),
        ],
        sorts=NAME_SORTS,
        default_sort="name",
        custom=custom_fields.definitions("company", user),
    )


def apply_filters(user, spec: ListSpec, queryset: QuerySet, data: dict, raw) -> QuerySet:
    """Narrow a list by the cleaned filter form `data` and the raw query string `raw`."""
    if data.get("q"):
        queryset = queryset.filter(pk__in=matching_ids(data["q"], queryset.model))
    owner = data.get("owner")
    if owner == "me":
        queryset = queryset.filter(owner=user)
    elif owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        # "3,5,8": owned by any of these people (a team's records, until teams exist).
        # isdecimal, not isdigit: "²" is a digit int() refuses; 18 digits fit any id.
        parts = [part.strip() for part in owner.split(",")]
        ids = [int(part) for part in parts if part.isdecimal() and len(part) <= 18]
        if ids:
            queryset = queryset.filter(owner_id__in=ids)
    if data.get("stage") and spec.record_type == "contact":
        queryset = queryset.filter(lifecycle_stage__in=data["stage"])
    if data.get("tag"):
        queryset = queryset.filter(tags__key=data["tag"].strip().lower())
    for name, field in (
        ("created", "created_at"),
        ("updated", "updated_at"),
        ("contacted", "last_contacted_at"),
    ):
        if name == "contacted" and spec.record_type != "contact":
            continue
        if data.get(f"{name}_from"):
            queryset = queryset.filter(**{f"{field}__gte": day_start(data[f"{name}_from"])})
        if data.get(f"{name}_to"):
            end = day_start(data[f"{name}_to"]) + datetime.timedelta(days=1)
            queryset = queryset.filter(**{f"{field}__lt": end})
    if data.get("inactive_days"):
        cutoff = timezone.now() - datetime.timedelta(days=data["inactive_days"])
        queryset = queryset.filter(
            Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
        )
    if data.get("stale"):
        queryset = queryset.filter(selectors.stale_filter())
    for definition in spec.custom:
        value = raw.get(f"cf_{definition.key}", "").strip()
        if value:
            queryset = custom_filter(queryset, definition, value)
    return queryset


def base_queryset(user, record_type: str) -> QuerySet:
    return selectors.list_rows(user, record_type)


MODELS = {"contact": Contact, "company": Company}
