"""The settings lists an administrator keeps in the app (products, tags, carriers, …): each
is declared once by its app, and the same generic pages list, add, change, delete and
restore them (core.settings_views), through the same generic services
(core.settings_services). A page is a list and a form, never a copy of another page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import path
from django.utils.functional import Promise

from clientela.core import permissions

if TYPE_CHECKING:
    from django import forms
    from django.db.models import QuerySet
    from django.urls import URLPattern

    from clientela.core.actors import Actor


@dataclass(frozen=True)
class Column:
    """One column of a settings list: a label and what a row shows in it."""

    label: str | Promise
    value: Callable[[Any], object]
    numeric: bool = False
    # Where the cell links to (another settings list, filtered), if anywhere.
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class SettingsPage:
    """A settings list and its form. `save(actor=, instance=, data=)` is the service that
    writes a row (default: the form's fields set on the model, validated, audited); a
    row that other rows point at (but those it `owns`) can't be deleted. A `single` page
    has one row (the seller's details): the form alone."""

    key: str  # the URL's segment and the URL names' stem: /settings/<key>/
    label: str | Promise  # "Products"
    description: str | Promise  # the Settings page's card
    add_label: str | Promise  # "New product"
    icon: str  # a heroicons outline name
    model: type[models.Model]
    # The form: the model's `fields` (with `widgets`), or a form class of its own.
    fields: tuple[str, ...] = ()
    widgets: dict[str, Any] = field(default_factory=dict)
    form: type[forms.BaseForm] | None = None
    columns: tuple[Column, ...] = ()
    queryset: Callable[[], QuerySet] | None = None
    ordering: tuple[str, ...] = ("id",)  # non-null fields, the last unique (keyset pages)
    capability: str = "manage_settings"
    sensitive: bool = False  # shows amounts: only to roles that see them too
    save: Callable[..., models.Model] | None = None
    # A yes/no field at most one row has (the default warehouse): saving a row with it
    # takes it from the others.
    only_one: str = ""
    owns: tuple[str, ...] = ()  # model names of the rows deleted with one (its prices)
    editable: bool = True  # rows open a form (stock is changed by receipts and counts)
    deletable: bool = True
    single: Callable[[], models.Model] | None = None
    # GET parameters that narrow the list to one related row ("?price_list=3"), which a
    # new row then starts with.
    filters: tuple[str, ...] = ()
    help: str | Promise = ""
    # The fields a stored row keeps (a built-in order stage's key): shown but not changed.
    fixed: Callable[[Any], tuple[str, ...]] | None = None
    # Why a row can't be deleted whatever points at it (the code relies on it), or "".
    kept: Callable[[Any], str | Promise] | None = None
    after_save: str | Promise = ""  # a message beside "saved", for a page whose change matters
    # Refuses what the model can't judge alone (which stages an order stage may lead to):
    # `check(row or None, data)` raises ValidationError before anything is written.
    check: Callable[[Any, dict], None] | None = None

    def allows(self, user: Actor | None) -> bool:
        if user is None:  # the system itself
            return True
        return permissions.can(user, self.capability) and (
            not self.sensitive or permissions.sees_sensitive(user)
        )

    def form_class(self) -> Callable[..., forms.BaseForm]:
        """What makes the form: called with the data, `instance` and `initial`."""
        if self.form is not None:
            return self.form
        from django.forms import modelform_factory

        return modelform_factory(self.model, fields=self.fields, widgets=self.widgets)

    def fixed_fields(self, row: models.Model | None) -> tuple[str, ...]:
        return self.fixed(row) if self.fixed is not None and row is not None else ()

    def rows(self) -> QuerySet:
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def url_name(self, view: str = "list") -> str:
        return f"core:settings-{self.key}" + ("" if view == "list" else f"-{view}")


PAGES: dict[str, SettingsPage] = {}


def declare(page: SettingsPage) -> None:
    """Called from an app's AppConfig.ready(): the page's URLs, its Settings card and its
    audit snapshot follow."""
    from clientela.core import audit

    PAGES[page.key] = page
    if page.model not in audit.SNAPSHOTS:
        audit.register(page.model, field_values)


def field_values(instance: models.Model) -> dict:
    """A row as the audit trail keeps it: every column by name (a foreign key by its id, a
    many-to-many field by the sorted ids it holds), enough to put a deleted row back as it
    was."""
    values = {
        f.attname: f.value_from_object(instance)
        for f in instance._meta.concrete_fields
        if not f.primary_key
    }
    for f in instance._meta.many_to_many:
        values[f.name] = sorted(related.pk for related in f.value_from_object(instance))
    return values


def visible_pages(user: Actor) -> list[SettingsPage]:
    return [page for page in PAGES.values() if page.allows(user)]


def urlpatterns() -> list[URLPattern]:
    """Every declared page's URLs, named core:settings-<key>[-new|-edit|-delete|-restore].
    Read when the URLconf loads, after every app declared its pages."""
    from clientela.core import settings_views as views

    patterns = []
    for key, page in PAGES.items():
        stem, name = f"settings/{key}/", f"settings-{key}"
        if page.single is not None:  # one row: its list is its form
            patterns.append(path(stem, views.settings_edit, {"key": key}, name=name))
            continue
        patterns.append(path(stem, views.settings_list, {"key": key}, name=name))
        patterns.append(path(f"{stem}new/", views.settings_edit, {"key": key}, name=f"{name}-new"))
        if page.editable:
            patterns.append(
                path(f"{stem}<int:pk>/", views.settings_edit, {"key": key}, name=f"{name}-edit")
            )
        if page.deletable:
            patterns += [
                path(
                    f"{stem}<int:pk>/delete/",
                    views.settings_delete,
                    {"key": key},
                    name=f"{name}-delete",
                ),
                path(
                    f"{stem}restore/<int:entry_id>/",
                    views.settings_restore,
                    {"key": key},
                    name=f"{name}-restore",
                ),
            ]
    return patterns
