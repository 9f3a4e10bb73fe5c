"""The desk's settings lists, declared for the generic settings pages (core.settings_pages)
from TicketsConfig.ready(): SLA targets per priority and customer tier, which status may
follow which, and the knowledge base's categories (renamed in place; deleted only when
no article is in them). Departments and routing rules have pages of their own
(tickets.settings_views); ticket tags are the customers' tags (Settings → Tags)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core.settings_pages import Column, SettingsPage, declare
from clientela.tickets.models import ArticleCategory, SlaPolicy, StatusTransition, TicketStatus
from clientela.tickets.templatetags.tickets import business_time


def _status(value: str) -> str:
    return str(TicketStatus(value).label) if value in TicketStatus.values else value


def declare_pages() -> None:
    declare(
        SettingsPage(
            key="sla-policies",
            label=_("SLA policies"),
            description=_(
                "How soon tickets are answered and resolved, per priority and customer tier."
            ),
            add_label=_("New SLA policy"),
            icon="clock",
            model=SlaPolicy,
            fields=("priority", "tier", "first_response_minutes", "resolution_minutes"),
            columns=(
                Column(_("Priority"), lambda p: p.get_priority_display()),
                Column(_("Customer tier"), lambda p: p.tier or _("Every customer")),
                Column(
                    _("First response"),
                    lambda p: business_time(p.first_response_minutes),
                    numeric=True,
                ),
                Column(
                    _("Resolution"), lambda p: business_time(p.resolution_minutes), numeric=True
                ),
            ),
            ordering=("tier", "priority", "id"),
            help=_(
                "Targets are in business minutes of the ticket's department. A tier is a "
                "customer tag; a blank tier is every other customer. New targets apply to "
                "tickets opened or re-prioritised from now on."
            ),
        )
    )
    declare(
        SettingsPage(
            key="ticket-statuses",
            label=_("Ticket statuses"),
            description=_("Which status a ticket may move to from another."),
            add_label=_("New transition"),
            icon="arrows-right-left",
            model=StatusTransition,
            fields=("from_status", "to_status"),
            columns=(
                Column(_("From"), lambda t: _status(t.from_status)),
                Column(_("To"), lambda t: _status(t.to_status)),
            ),
            ordering=("from_status", "to_status", "id"),
            help=_(
                "A ticket moves only along these transitions; waiting on the customer "
                "pauses its SLA clock."
            ),
        )
    )
    declare(
        SettingsPage(
            key="article-categories",
            label=_("Article categories"),
            description=_("The shelves of the knowledge base."),
            add_label=_("New category"),
            icon="book-open",
            model=ArticleCategory,
            fields=("name",),
            columns=(Column(_("Category"), lambda c: c.name),),
            ordering=("name", "id"),
            help=_("A category with articles in it can't be deleted: move the articles first."),
        )
    )
