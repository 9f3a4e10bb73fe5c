"""The areas of the sidebar: one list, so every page shows the same navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.core import permissions

if TYPE_CHECKING:
    from clientela.core.actors import Actor


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    url_name: str
    icon: str  # a heroicons outline name
    # A role capability the area needs (core.permissions); "*settings": any settings section.
    capability: str = ""
    # Other URL prefixes whose pages belong to this area (pages outside Django's admin).
    also: tuple[str, ...] = ()
    # A record type the role must see some of (core.permissions scopes) for the area to show.
    record_type: str = ""


# Areas appear here as their apps are built; the order is the sidebar's.
AREAS: tuple[Area, ...] = (
    Area("home", _("Home"), "workspace:home", "home"),
    Area("my-day", _("My day"), "activities:my-day", "calendar-days"),
    Area(
        "team-tasks",
        _("Team tasks"),
        "activities:team-tasks",
        "clipboard-document-check",
        capability="view_reports",
    ),
    Area("contacts", _("Contacts"), "customers:contact-list", "users"),
    Area("companies", _("Companies"), "customers:company-list", "building-office-2"),
    Area("deals", _("Deals"), "deals:deal-board", "currency-dollar"),
    Area("projects", _("Projects"), "projects:list", "briefcase", record_type="project"),
    Area("orders", _("Orders"), "orders:list", "shopping-bag", also=("/invoices/", "/shipments/")),
    Area("tickets", _("Tickets"), "tickets:list", "ticket", record_type="ticket"),
    Area("inbox", _("Inbox"), "inbox:unified", "inbox-stack", capability="log_activity"),
    Area("mail", _("E-mail"), "channels:inbox", "envelope", capability="log_activity"),
    Area("dashboards", _("Dashboards"), "analytics:mine", "chart-bar", also=("/dashboards/",)),
    Area("reports", _("Reports"), "analytics:reports", "presentation-chart-bar"),
    Area("knowledge", _("Knowledge base"), "tickets:articles", "book-open", record_type="article"),
    Area("trash", _("Trash"), "core:trash", "trash"),
    Area(
        "settings",
        _("Settings"),
        "workspace:settings",
        "cog-6-tooth",
        capability="*settings",
        also=("/admin/", "/jobs/"),
    ),
)


# What each of the roles a new installation starts with works in most, shown first after
# Home and My day (a support agent's tickets, a representative's deals, a manager's
# dashboards); a role made in the app keeps the order above.
ALWAYS_FIRST = ("home", "my-day")
ROLE_FOCUS: dict[str, tuple[str, ...]] = {
    "manager": ("dashboards", "team-tasks", "deals"),
    "sales-representative": ("deals", "contacts", "companies"),
    "support-agent": ("tickets", "knowledge", "contacts"),
    "marketing": ("dashboards", "contacts", "companies", "reports"),
}
# Where an area leads a role, when not to the area's own page: a marketer's dashboards
# open on the marketing one.
ROLE_LANDING: dict[str, dict[str, str]] = {"marketing": {"dashboards": "analytics:marketing"}}


def _in_role_order(user: Actor, areas: list[dict]) -> list[dict]:
    role = user.role
    focus = ROLE_FOCUS.get(getattr(role, "key", ""), ())
    first = [*ALWAYS_FIRST, *focus]
    rank = {key: place for place, key in enumerate(first)}
    # sorted() keeps the sidebar's order among the areas not ranked.
    return sorted(areas, key=lambda area: rank.get(area["key"], len(first)))


@dataclass(frozen=True)
class Section:
    """One card of the Settings page; shown to roles with its capability."""

    label: str | Promise
    description: str | Promise
    url_name: str
    icon: str
    capability: str = ""
    staff_only: bool = False


SECTIONS: tuple[Section, ...] = (
    Section(
        _("People and teams"),
        _("Invite colleagues, change their team and role, deactivate and hand over."),
        "users:people",
        "user-group",
        capability="manage_users",
    ),
    Section(
        _("Roles"),
        _("What each position may see and change, record type by record type."),
        "users:roles",
        "shield-check",
        capability="manage_users",
    ),
    Section(
        _("Pipelines"),
        _("The stages deals move through, with their win probability."),
        "deals:pipeline-settings",
        "funnel",
        capability="manage_settings",
    ),
    Section(
        _("Currencies"),
        _("The base currency sums are shown in, and the exchange rates by day."),
        "core:currencies",
        "banknotes",
        capability="manage_settings",
    ),
    Section(
        _("Telephony"),
        _("Click to call through your phone system, or the device's phone app."),
        "core:telephony",
        "phone",
        capability="manage_settings",
    ),
    Section(
        _("Support desk"),
        _("Departments that take tickets, their hours and holidays, and the routing rules."),
        "tickets:departments",
        "lifebuoy",
        capability="manage_settings",
    ),
    Section(
        _("Audit trail"),
        _("Every change to every record: who, when, from where. Export it for an auditor."),
        "core:audit-trail",
        "document-magnifying-glass",
        capability="view_audit_trail",
    ),
    Section(
        _("Backups"),
        _("The last backup and its verification; back up now or download an archive."),
        "dataio:backups",
        "archive-box",
        capability="manage_settings",
    ),
    Section(
        _("Jobs"),
        _("Background work: queued, running and failed jobs."),
        "jobs:board",
        "queue-list",
        capability="manage_settings",
    ),
    Section(
        _("Webhooks"),
        _("Tell other systems when records change: signed deliveries, retries, a log."),
        "webhooks:index",
        "bolt",
        capability="manage_settings",
    ),
    Section(
        _("Technical administration"),
        _("Every table, in Django's admin: for technical staff."),
        "admin:index",
        "wrench-screwdriver",
        staff_only=True,
    ),
)


def sections_for(user: Actor) -> list[dict]:
    """The Settings page's cards this user may open: the sections above, with the settings
    lists the apps declared (core.settings_pages) before the technical administration."""
    from clientela.core import settings_pages

    shown = []
    for section in SECTIONS:
        if section.staff_only and not getattr(user, "is_staff", False):
            continue
        if section.capability and not permissions.can(user, section.capability):
            continue
        shown.append(
            {
                "label": section.label,
                "description": section.description,
                "url": reverse(section.url_name),
                "icon": section.icon,
            }
        )
    lists = [
        {
            "label": page.label,
            "description": page.description,
            "url": reverse(page.url_name()),
            "icon": page.icon,
        }
        for page in settings_pages.visible_pages(user)
    ]
    technical = [s for s in shown if s["url"] == reverse("admin:index")]
    return [s for s in shown if s not in technical] + lists + technical


def areas_for(user: Actor, path: str) -> list[dict]:
    """The areas this user may open; the one holding `path` is marked active."""
    visible = []
    landing = ROLE_LANDING.get(getattr(user.role, "key", ""), {})
    for area in AREAS:
        if area.capability == "*settings":
            if not sections_for(user):
                continue
        elif area.capability and not permissions.can(user, area.capability):
            continue
        if area.record_type and permissions.scope(user, area.record_type) == permissions.NONE:
            continue
        url = reverse(landing.get(area.key, area.url_name))
        active = path == url if url == "/" else path.startswith((url, *area.also))
        visible.append(
            {"key": area.key, "label": area.label, "url": url, "icon": area.icon, "active": active}
        )
    return _in_role_order(user, visible)
