"""Registers the tickets app: tickets as records on the customer's timeline, with their
history, trash, search entry and events, and the desk's settings in the audit trail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "clientela.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from clientela.core import audit, permissions, record_services
        from clientela.core.handover import Handover
        from clientela.core.records import RecordType, declare
        from clientela.tickets.models import DONE, Department, RoutingRule, Ticket
        from clientela.tickets.selectors import tickets_for
        from clientela.tickets.services import restore_ticket

        def rolls_up_to(ticket):
            # A ticket and its conversation show on its contact's and company's timelines.
            return [
                *([ticket.contact] if ticket.contact_id else []),
                *([ticket.company] if ticket.company_id else []),
            ]

        declare(
            RecordType(
                model=Ticket,
                selector=tickets_for,
                snapshot=ticket_snapshot,
                document=ticket_document,
                rolls_up_to=rolls_up_to,
                events=("created", "updated", "deleted", "restored", "assigned", "resolved"),
                own_verbs={"assign": "assigned", "resolve": "resolved", "transfer": "updated"},
                # Open tickets pass to the successor of an agent who leaves; finished ones
                # keep who answered them.
                handover=Handover(
                    label=_("open tickets"),
                    held_by=lambda user: Ticket.objects.filter(owner=user).exclude(status__in=DONE),
                    hand_over=lambda *, actor, records, to: record_services.assign_owner(
                        actor=actor, records=records, owner=to
                    ),
                ),
                restore=restore_ticket,
                # A support agent answers any ticket of the desk, not only those assigned
                # to them; deleting stays with managers.
                default_scopes={
                    "support-agent": (permissions.ALL, permissions.ALL, permissions.NONE)
                },
            )
        )
        audit.register(
            Department,
            lambda d: {
                "name": d.name,
                "lead": d.lead.email if d.lead_id else "",
                "members": sorted(user.email for user in d.members.all()),
                "assignment": d.assignment,
                "time_zone": d.time_zone,
                "hours": d.hours,
                "holidays": d.holidays,
            },
        )
        audit.register(
            RoutingRule,
            lambda r: {
                "name": r.name,
                "position": r.position,
                "active": r.active,
                "department": r.department.name,
                "keywords": r.keywords,
                "customer_tag": r.customer_tag,
                "channel": r.channel,
                "language": r.language,
            },
        )


def ticket_snapshot(ticket) -> dict:
    return {
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": ticket.department.name,
        "owner": ticket.owner.email if ticket.owner_id else "",
        "contact": ticket.contact.full_name if ticket.contact_id else "",
        "company": ticket.company.name if ticket.company_id else "",
        "order": f"#{ticket.order_id}" if ticket.order_id else "",
        "deal": ticket.deal.name if ticket.deal_id else "",
        "channel": ticket.channel,
        "language": ticket.language,
        "tier": ticket.tier,
        "first_response_due": ticket.first_response_due,
        "resolution_due": ticket.resolution_due,
    }


def ticket_document(ticket):
    from clientela.core.search import Document

    customer = ticket.contact.full_name if ticket.contact_id else ""
    company = ticket.company.name if ticket.company_id else ""
    return Document(
        title=f"#{ticket.pk} {ticket.subject}",
        subtitle=" · ".join(part for part in (customer, company, ticket.department.name) if part),
        parts=[customer, company, ticket.contact.email if ticket.contact_id else ""],
        owner_id=ticket.owner_id,
    )
