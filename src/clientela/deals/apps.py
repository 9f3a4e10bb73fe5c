"""Registers the deals app: deals as records with a timeline, an audit shape and a search entry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "clientela.deals"
    label = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from clientela.core import audit, permissions, record_services
        from clientela.core.handover import Handover
        from clientela.core.records import RecordType, declare
        from clientela.deals.models import Deal, DealStatus, Pipeline
        from clientela.deals.selectors import deals_for

        def rolls_up_to(deal):
            # A deal's calls and notes show on its company's and its people's timelines too.
            return [*([deal.company] if deal.company_id else []), *deal.contacts.all()]

        declare(
            RecordType(
                model=Deal,
                selector=deals_for,
                create_url="deals:deal-create",
                snapshot=deal_snapshot,
                document=deal_document,
                rolls_up_to=rolls_up_to,
                events=("created", "updated", "deleted", "restored", "won", "lost"),
                # Open deals pass to the successor of someone who leaves; won and lost ones
                # keep the owner who closed them, for the funnel and the forecast by owner.
                handover=Handover(
                    label=_("open deals"),
                    held_by=lambda user: Deal.objects.filter(owner=user, status=DealStatus.OPEN),
                    hand_over=lambda *, actor, records, to: record_services.assign_owner(
                        actor=actor, records=records, owner=to
                    ),
                ),
                sensitive_fields=frozenset({"amount", "lines"}),  # lines carry their prices
            )
        )
        # What a line's prices show: hidden with the amount (core.presenting).
        permissions.declare_sensitive("dealline", {"unit_price", "discount", "agreed_price", "net"})
        audit.register(
            Pipeline,
            lambda p: {
                "name": p.name,
                "stages": [f"{s.name} ({s.probability}%)" for s in p.stages.all()],
            },
        )
        declare_history()


def declare_history() -> None:
    """A deal's pipeline and stage are kept by name: a seeded one reads in the reader's
    language, a typed one as typed."""
    from clientela.core import change_display, seeded
    from clientela.deals.models import SEEDED_NAMES

    for field in ("pipeline", "stage"):
        change_display.declare("deal", field, lambda name: seeded.label(name, SEEDED_NAMES))


def deal_snapshot(deal) -> dict:
    return {
        "name": deal.name,
        "pipeline": deal.pipeline.name,
        "stage": deal.stage.name,
        "company": deal.company.name if deal.company_id else "",
        "contacts": sorted(contact.full_name for contact in deal.contacts.all()),
        "amount": deal.amount,
        "currency": deal.currency,
        "expected_close": deal.expected_close,
        "source": deal.source,
        "status": deal.status,
        "lost_reason": deal.lost_reason,
        "owner": deal.owner.email if deal.owner_id else "",
        "custom": deal.custom or {},
        "lines": [
            f"{line.quantity} x {line.product.sku} @ {line.unit_price}"
            + (f" -{line.discount}%" if line.discount else "")
            for line in deal.lines.all()
        ],
        "order": f"#{deal.order_id}" if deal.order_id else "",
    }


def deal_document(deal):
    from clientela.core.search import Document

    company = deal.company.name if deal.company_id else ""
    # No amount: a search must not tell someone who may not see amounts what they are.
    return Document(
        title=deal.name,
        subtitle=" · ".join(part for part in (company, deal.stage.name) if part),
        parts=[company],
        owner_id=deal.owner_id,
    )
