"""Registers the customers app and declares its record types: contacts and companies."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "clientela.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from clientela.core import record_services, search
        from clientela.core.handover import Handover
        from clientela.core.records import RecordType, declare
        from clientela.customers import search_documents
        from clientela.customers.history import company_snapshot, contact_snapshot
        from clientela.customers.models import Company, Contact
        from clientela.customers.selectors import companies_for, contacts_for
        from clientela.customers.services import return_to_state
        from clientela.customers.settings_pages import declare_pages

        declare_pages()

        def handover(model, label):
            return Handover(
                label=label,
                held_by=lambda user: model.objects.filter(owner=user),
                hand_over=lambda *, actor, records, to: record_services.assign_owner(
                    actor=actor, records=records, owner=to
                ),
            )

        declare(
            RecordType(
                model=Contact,
                selector=contacts_for,
                create_url="customers:contact-create",
                snapshot=contact_snapshot,
                document=search_documents.contact_document,
                rolls_up_to=lambda c: [c.company] if c.company_id else [],
                handover=handover(Contact, _("contacts")),
                restore=return_to_state,
            )
        )
        declare(
            RecordType(
                model=Company,
                selector=companies_for,
                create_url="customers:company-create",
                snapshot=company_snapshot,
                document=search_documents.company_document,
                handover=handover(Company, _("companies")),
                sensitive_fields=frozenset({"tax_id"}),
                restore=return_to_state,
            )
        )
        from clientela.core import change_display
        from clientela.customers.models import LifecycleStage

        # The trail keeps a contact's stage by its key; people read its name, a seeded one
        # in their language.
        def stage_label(key: str) -> str:
            stage = LifecycleStage.objects.filter(key=key).first()
            return stage.label if stage is not None else key

        change_display.declare("contact", "lifecycle_stage", stage_label)
        search.register_numbers(Contact, search_documents.number_owners("contact"))
        search.register_numbers(Company, search_documents.number_owners("company"))
