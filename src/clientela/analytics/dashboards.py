"""The dashboards, one per kind of reader, and which figures each shows: listed once, so
the pages, their tabs and the sidebar agree on who sees what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.analytics import marketing, satisfaction
from clientela.analytics import selectors as figures
from clientela.core import permissions

Figure = Callable[..., figures.Chart]


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str | Promise
    description: str | Promise
    # Each figure with the record type its reader must see some of (core.permissions).
    shows: tuple[tuple[str, Figure], ...]
    capability: str = ""  # a role capability the dashboard needs
    needs: str = ""  # a record type the reader must see some of
    mine: bool = False  # only the reader's own records (their owner or author)

    @property
    def url(self) -> str:
        return reverse(f"analytics:{self.key}")

    def open_to(self, user) -> bool:
        if self.capability and not permissions.can(user, self.capability):
            return False
        return not self.needs or permissions.scope(user, self.needs) != permissions.NONE

    def charts(self, user, period: figures.Period) -> list[figures.Chart]:
        return [
            figure(user, period, mine=self.mine)
            for record_type, figure in self.shows
            if not record_type or permissions.scope(user, record_type) != permissions.NONE
        ]


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard(
        "mine",
        _("My numbers"),
        _("Your own customers, deals, orders, activities and tickets."),
        (
            ("order", figures.revenue),
            ("contact", figures.new_customers),
            ("deal", figures.pipeline_by_stage),
            ("deal", figures.win_rate),
            ("deal", figures.deal_cycle),
            ("", figures.activities_by_person),
            ("ticket", figures.tickets_by_status),
        ),
        mine=True,
    ),
    Dashboard(
        "executive",
        _("Executive"),
        _("Sales, customers and support across everything you may see."),
        (
            ("order", figures.revenue),
            ("order", figures.products_sold),
            ("contact", figures.new_customers),
            ("deal", figures.win_rate),
            ("deal", figures.pipeline_by_stage),
            ("ticket", figures.tickets_by_status),
            ("ticket", figures.sla_compliance),
            ("ticket", satisfaction.by_agent),
        ),
        capability="view_reports",
    ),
    Dashboard(
        "sales",
        _("Sales"),
        _("The pipeline, how deals close, and who is working them."),
        (
            ("deal", figures.pipeline_by_stage),
            ("deal", figures.win_rate),
            ("deal", figures.deal_cycle),
            ("", figures.activities_by_person),
            ("order", figures.revenue),
            ("contact", figures.new_customers),
        ),
        capability="view_reports",
    ),
    Dashboard(
        "support",
        _("Support"),
        _("The desk's tickets, how well their deadlines are kept and how customers rate the help."),
        (
            ("ticket", figures.tickets_by_status),
            ("ticket", figures.sla_compliance),
            ("ticket", satisfaction.by_agent),
            ("ticket", satisfaction.by_queue),
            ("", figures.activities_by_person),
        ),
        capability="view_reports",
        needs="ticket",
    ),
    # Counts of contacts within what the reader may see, no amounts: open to every role
    # that sees contacts (the marketing role has no team reports).
    Dashboard(
        "marketing",
        _("Marketing"),
        _(
            "Where new contacts come from, how they move through the stages, who agrees to "
            "marketing."
        ),
        (
            ("contact", marketing.contacts_by_source),
            ("contact", marketing.lifecycle_movement),
            ("contact", marketing.consent),
        ),
        needs="contact",
    ),
)
BY_KEY = {dashboard.key: dashboard for dashboard in DASHBOARDS}


def open_to(user) -> list[Dashboard]:
    return [dashboard for dashboard in DASHBOARDS if dashboard.open_to(user)]
