"""The customers app's settings lists, declared for the generic settings pages
(core.settings_pages) from CustomersConfig.ready(): lifecycle stages and tags."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.settings_pages import Column, SettingsPage, declare
from clientela.customers.models import LifecycleStage, Tag

TAG_COLOURS = [
    ("grey", _("Grey")),
    ("blue", _("Blue")),
    ("green", _("Green")),
    ("yellow", _("Yellow")),
    ("red", _("Red")),
    ("purple", _("Purple")),
]


def declare_pages() -> None:
    declare(
        SettingsPage(
            key="lifecycle-stages",
            label=_("Lifecycle stages"),
            description=_("The steps from lead to customer a contact goes through."),
            add_label=_("New stage"),
            icon="flag",
            model=LifecycleStage,
            fields=("name", "key", "position", "is_default"),
            columns=(
                Column(_("Stage"), lambda s: s.name),
                Column(_("Order"), lambda s: s.position, numeric=True),
                Column(_("Key"), lambda s: s.key),
                Column(_("Default for new contacts"), lambda s: s.is_default),
            ),
            ordering=("position", "id"),
            only_one="is_default",
            help=_("A stage contacts are in can't be deleted: move them first."),
        )
    )
    declare(
        SettingsPage(
            key="tags",
            label=_("Tags"),
            description=_("Labels on contacts and companies, for lists, filters and routing."),
            add_label=_("New tag"),
            icon="swatch",
            model=Tag,
            fields=("name", "color"),
            widgets={"color": forms.Select(choices=TAG_COLOURS)},
            columns=(
                Column(_("Tag"), lambda t: t.name),
                Column(_("Colour"), lambda t: dict(TAG_COLOURS).get(t.color, t.color)),
            ),
            ordering=("key", "id"),
            help=_("A tag on contacts or companies can't be deleted: take it off them first."),
        )
    )
