"""The areas of the sidebar: one list, so every page shows the same navigation."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.users import permissions


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    url_name: str
    icon: str  # a heroicons outline name
    staff_only: bool = False  # Django's technical admin
    capability: str = ""  # a role capability the area needs (users.permissions)
    # Other URL prefixes whose pages belong to this area (pages outside Django's admin).
    also: tuple[str, ...] = ()


# Areas appear here as their apps are built; the order is the sidebar's.
AREAS: tuple[Area, ...] = (
    Area("home", _("Home"), "home", "home"),
    Area("my-day", _("My day"), "my-day", "calendar-days"),
    Area("contacts", _("Contacts"), "contact-list", "users"),
    Area("companies", _("Companies"), "company-list", "building-office-2"),
    Area("orders", _("Orders"), "orders:list", "shopping-bag", also=("/invoices/", "/shipments/")),
    Area("trash", _("Trash"), "trash", "trash"),
    Area("jobs", _("Jobs"), "jobs:board", "queue-list", capability="manage_settings"),
    Area(
        "admin", _("Settings"), "admin:index", "cog-6-tooth", staff_only=True, also=("/settings/",)
    ),
)


def areas_for(user, path: str) -> list[dict]:
    """The areas this user may open; the one holding `path` is marked active."""
    visible = []
    for area in AREAS:
        if area.staff_only and not getattr(user, "is_staff", False):
            continue
        if area.capability and not permissions.can(user, area.capability):
            continue
        url = reverse(area.url_name)
        active = path == url if url == "/" else path.startswith((url, *area.also))
        visible.append(
            {"key": area.key, "label": area.label, "url": url, "icon": area.icon, "active": active}
        )
    return visible
