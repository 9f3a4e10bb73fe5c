"""Registers the core app, and its own settings list: custom fields."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "clientela.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from clientela.core import connections, events, records, remembered

        connection_created.connect(connections.tune, dispatch_uid="clientela.core.connections")
        # Every statement that writes a table tells the write listeners at its commit, and
        # the results remembered from that table are read afresh (core.remembered).
        connection_created.connect(
            remembered.watch_writes, dispatch_uid="clientela.core.remembered"
        )
        events.listen_to_writes(remembered.forget)
        from clientela.core.forms import CustomFieldForm
        from clientela.core.models import CustomField
        from clientela.core.settings_pages import Column, SettingsPage, declare

        def record_type(field: CustomField) -> str:
            declared = records.TYPES.get(field.record_type)
            return str(declared.label) if declared is not None else field.record_type

        declare(
            SettingsPage(
                key="custom-fields",
                label=_("Custom fields"),
                description=_("Fields of your own on contacts, companies, deals and the rest."),
                add_label=_("New custom field"),
                icon="adjustments-horizontal",
                model=CustomField,
                form=CustomFieldForm,
                columns=(
                    Column(_("Field"), lambda f: f.label),
                    Column(_("Record type"), record_type),
                    Column(_("Type"), lambda f: f.get_field_type_display()),
                    Column(_("Key"), lambda f: f.key),
                    Column(_("Required"), lambda f: f.required),
                    Column(_("Sensitive"), lambda f: f.sensitive),
                ),
                ordering=("record_type", "position", "id"),
                help=_(
                    "Deleting a field hides it; the values stay on the records and show "
                    "again when the field is put back."
                ),
            )
        )
