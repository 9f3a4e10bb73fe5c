"""The cards of a contact's or company's page that load after its first paint, and its
timeline: the page holds a placeholder that htmx fills on load (a plain link to the card's
own page when scripts are off), so the first answer runs only the queries of what is seen
first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from clientela.activities import record_page
from clientela.core import permissions
from clientela.customers import selectors
from clientela.customers.models import Company, Contact


@dataclass(frozen=True)
class Panel:
    name: str
    title: str | Promise
    # The record type whose scope the user needs for the card at all (None: every user).
    needs: str | None = None
    record_types: tuple[str, ...] = ("contact", "company")
    # "side": a card beside the timeline; "main": the timeline itself, under the composer.
    place: str = "side"


PANELS = {
    panel.name: panel
    for panel in (
        Panel("people", _("People"), record_types=("company",)),
        Panel("deals", _("Deals"), needs="deal"),
        Panel("orders", _("Orders")),
        Panel("shipments", _("Shipments"), needs="order"),
        Panel("order-files", _("Files on orders"), needs="order"),
        Panel("tickets", _("Tickets")),
        Panel("projects", _("Projects")),
        Panel("timeline", _("Timeline"), place="main"),
    )
}


def lazy_panels(user, record_type: str, pk: int, *, place: str = "side") -> list[dict]:
    """The placeholders of a record page: each card the user may have, with its address."""
    return [
        {
            "name": panel.name,
            "title": panel.title,
            "url": reverse(f"customers:{record_type}-panel", args=[pk, panel.name]),
        }
        for panel in PANELS.values()
        if panel.place == place and _may_have(user, panel, record_type)
    ]


def _may_have(user, panel: Panel, record_type: str) -> bool:
    if record_type not in panel.record_types:
        return False
    return panel.needs is None or permissions.scope(user, panel.needs) != permissions.NONE


def _panel(request, record_type: str, pk: int, name: str):
    panel = PANELS.get(name)
    if panel is None or not _may_have(request.user, panel, record_type):
        raise Http404
    record: Contact | Company | None = (
        selectors.contacts_for(request.user).filter(pk=pk).first()
        if record_type == "contact"
        else selectors.companies_for(request.user).filter(pk=pk).first()
    )
    if record is None:
        raise Http404
    context: dict[str, Any] = {"record": record, "record_type": record_type, "panel": panel}
    if isinstance(record, Company) and panel.name == "people":
        context["people"] = (
            selectors.contact_list(request.user)
            .filter(company=record)
            .order_by("name_key", "id")[:50]
        )
    if panel.name == "timeline":
        context.update(record_page.timeline_context(request, record))
        if request.htmx:
            return render(request, "activities/_timeline_section.html", context)
    elif request.htmx:
        return render(request, "customers/panels/_panel.html", context)
    return render(request, "customers/panel_page.html", context)


@require_safe
def contact_panel(request, pk: int, panel: str):
    return _panel(request, "contact", pk, panel)


@require_safe
def company_panel(request, pk: int, panel: str):
    return _panel(request, "company", pk, panel)
