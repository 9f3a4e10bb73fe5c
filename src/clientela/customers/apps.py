"""Registers the customers app and its record types."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "clientela.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from clientela.core import events
        from clientela.core.records import register_record_model
        from clientela.customers.history import register_snapshots
        from clientela.customers.models import Company, Contact
        from clientela.customers.search_documents import register_documents
        from clientela.customers.selectors import companies_for, contacts_for

        register_record_model(
            Contact, contacts_for, rolls_up_to=lambda c: [c.company] if c.company_id else []
        )
        register_record_model(Company, companies_for)
        register_documents()
        register_snapshots()
        events.declare("contact", "created", "updated", "deleted", "restored")
        events.declare("company", "created", "updated", "deleted", "restored")

        from clientela.customers.services import assign_owner
        from clientela.users import handover

        def hand_over(*, actor, records, to):
            return assign_owner(actor=actor, records=records, owner=to)

        for model, label in ((Contact, _("contacts")), (Company, _("companies"))):
            handover.register(
                handover.Handover(
                    label=label,
                    held_by=lambda user, model=model: model.objects.filter(owner=user),
                    hand_over=hand_over,
                )
            )
