"""The deals list: its columns and sorts (the list machinery is core.listing's)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core import custom_fields, presenting
from clientela.core.listing import Cell, Column, ListSpec, RelatedCells, person_cell
from clientela.core.money import format_money
from clientela.deals import selectors


def deal_spec(user) -> ListSpec:
    cutoff = selectors.stale_cutoff()
    companies = RelatedCells(user)

    def status(deal) -> Cell:
        flag = _("Stale") if selectors.is_stale(deal, cutoff) else ""
        return Cell(deal.get_status_display(), kind="flagged", extra=flag)

    columns = [
        Column(
            "name", _("Deal"), lambda d: Cell(d.name, d.get_absolute_url(), "link"), sort="name"
        ),
        Column(
            "company",
            _("Company"),
            lambda d: companies(d.company),
        ),
        Column("stage", _("Stage"), lambda d: Cell(d.stage.label, kind="badge")),
        Column("status", _("Status"), status),
    ]
    if not presenting.hides(user, "deal", "amount"):
        columns.append(
            Column("amount", _("Amount"), lambda d: Cell(format_money(d.amount, d.currency)))
        )
    columns += [
        Column(
            "close",
            _("Expected close"),
            lambda d: Cell(d.expected_close.isoformat() if d.expected_close else ""),
        ),
        Column("owner", _("Owner"), lambda d: person_cell(d.owner)),
        Column(
            "updated",
            _("Updated"),
            lambda d: Cell(kind="date", extra=d.updated_at),
            sort="updated",
        ),
    ]
    return ListSpec(
        record_type="deal",
        columns=columns,
        sorts={
            "name": ["name_key", "id"],
            "created": ["created_at", "id"],
            "updated": ["updated_at", "id"],
        },
        default_sort="name",
        custom=custom_fields.definitions("deal", user),
    )
