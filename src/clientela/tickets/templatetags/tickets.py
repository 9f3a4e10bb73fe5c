"""Ticket pieces other pages show: a ticket's status and priority badges, its SLA timer
("due in 2 h", "breached 15 min ago") and the tickets card of a contact's or company's page."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from clientela.core import permissions, presenting
from clientela.core.templatetags.ui import related_link
from clientela.tickets import selectors, sla
from clientela.tickets.models import TicketStatus

register = template.Library()


def _amount(n: int, unit: str) -> str:
    if unit == "min":
        return ngettext("%(n)d min", "%(n)d min", n) % {"n": n}
    if unit == "h":
        return ngettext("%(n)d h", "%(n)d h", n) % {"n": n}
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def timer_of(ticket, now=None) -> sla.Timer | None:
    return sla.timer(
        first_response_due=ticket.first_response_due,
        first_responded_at=ticket.first_responded_at,
        resolution_due=ticket.resolution_due,
        done=ticket.is_done,
        paused=ticket.sla_paused_at is not None,
        now=now or timezone.now(),
    )


def _shown(timer: sla.Timer) -> tuple[str, str, int, str, bool]:
    """All a timer's words and colour depend on: its state and target, its time rounded
    (sla.short_duration) and whether that time is under an hour."""
    n, unit = sla.short_duration(timer.delta)
    return timer.state, timer.target, n, unit, timer.delta.total_seconds() < 3600


def timer_text(timer: sla.Timer | None) -> tuple[str, str]:
    """The words and the badge colour of a timer."""
    return ("", "") if timer is None else _words(*_shown(timer))


def _words(state: str, target: str, n: int, unit: str, soon: bool) -> tuple[str, str]:
    if state == "met":
        return _("done"), "success"
    if state == "paused":
        return _("paused, waiting on customer"), "info"
    if state == "breached":
        return _("breached %(time)s ago") % {"time": _amount(n, unit)}, "danger"
    return _("due in %(time)s") % {"time": _amount(n, unit)}, "warning" if soon else ""


@register.filter
def status_label(value: str) -> str:
    """A stored status ("waiting") as people read it ("Waiting on customer")."""
    return str(TicketStatus(value).label) if value in TicketStatus.values else value or "—"


@register.filter
def business_time(minutes: int) -> str:
    """A target in business minutes, as hours and minutes: 90 → "1 h 30 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


@register.simple_tag(takes_context=True)
def ticket_customer(context: template.Context, ticket) -> SafeString | str:
    """Who a ticket is from, as its row on the list names them: the contact, linked when
    the reader may open it, with the company beside; or the company alone. One tag, not
    five lookups and three conditions of the template a row (ui.related_link links)."""
    contact, company = ticket.contact, ticket.company
    if contact:
        link = related_link(context, contact)
        return format_html('{} <span class="muted">· {}</span>', link, company) if company else link
    return related_link(context, company) if company else ""


# A badge's colour by the ticket's status and priority (no colour for the others).
STATUS_TONES = {
    "new": " badge--accent",
    "waiting": " badge--info",
    "resolved": " badge--success",
    "closed": " badge--success",
}
PRIORITY_TONES = {"urgent": " badge--danger", "high": " badge--warning"}


@register.simple_tag
def status_badge(ticket) -> SafeString:
    """The ticket's status as a badge of its colour."""
    return _choice_badge(STATUS_TONES.get(ticket.status, ""), ticket.get_status_display())


@register.simple_tag
def priority_badge(ticket) -> SafeString:
    """The ticket's priority as a badge of its colour."""
    return _choice_badge(PRIORITY_TONES.get(ticket.priority, ""), ticket.get_priority_display())


@lru_cache(maxsize=256)
def _choice_badge(tone: str, label: str) -> SafeString:
    """A badge made once per colour and label (a list shows fifty of each, most alike).
    It ends in a newline, as the template it replaces did: the pages are what they were,
    byte for byte."""
    return format_html('<span class="badge{}">{}</span>\n', tone, label)


@register.simple_tag
def sla_timer(ticket) -> SafeString | str:
    timer = timer_of(ticket)
    return "" if timer is None else _badge(get_language(), *_shown(timer))


@lru_cache(maxsize=1024)
def _badge(
    language: str | None, state: str, target: str, n: int, unit: str, soon: bool
) -> SafeString | str:
    """A timer's badge, made once per language and what it shows: a list asks for fifty,
    most alike, and translating and escaping each was a tenth of the page."""
    text, tone = _words(state, target, n, unit, soon)
    label = _("first response") if target == "response" else ""
    title = f"{label}: {text}" if label else text
    tone_class = f" badge--{tone}" if tone else ""
    return format_html(
        '<span class="badge{} sla-timer" title="{}">{}</span>', tone_class, title, text
    )


@register.inclusion_tag("tickets/_customer_tickets.html", takes_context=True)
def customer_tickets(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)
    shown = permissions.scope(user, "ticket") != permissions.NONE
    orders_shown = permissions.scope(user, "order") != permissions.NONE
    return {
        "shown": shown,
        "tickets": selectors.customer_tickets(user, record) if shown else [],
        "satisfaction": selectors.customer_satisfaction(
            user, record, tickets=shown, orders=orders_shown
        )
        if shown or orders_shown
        else {},
        "can_open": permissions.scope(user, "ticket", "edit") != permissions.NONE,
        "token": f"{record_type}:{record.pk}",
    }
