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
        from clientela.tickets.settings_pages import declare_pages

        declare_pages()

        # A delivered order's customer is asked for a rating, as after a resolved ticket.
        from clientela.orders import services as order_services
        from clientela.tickets import surveys

        if surveys.on_order_stage not in order_services.STAGE_HOOKS:
            order_services.STAGE_HOOKS.append(surveys.on_order_stage)

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
                create_url="tickets:create",
                snapshot=ticket_snapshot,
                document=ticket_document,
                rolls_up_to=rolls_up_to,
                events=("created", "updated", "deleted", "restored", "assigned", "resolved"),
                own_verbs={
                    "assign": "assigned",
                    "resolve": "resolved",
                    "transfer": "updated",
                    "link article": "updated",
                    "merged away": "updated",
                    "undo merge": "updated",
                },
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
        declare_scripts()
        from django.conf import settings

        from clientela.core import change_display

        # A ticket's language is kept by its code ("ro"); people read its name.
        change_display.declare(
            "ticket", "language", lambda code: dict(settings.LANGUAGES).get(code, code)
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


# Every role reads the agents' scripts; support agents and managers write them, and only
# administrators and managers delete them (view, edit, delete).
SCRIPT_SCOPES = {
    "administrator": ("all", "all", "all"),
    "manager": ("all", "all", "all"),
    "support-agent": ("all", "all", "none"),
    "sales-representative": ("all", "none", "none"),
    "marketing": ("all", "none", "none"),
    "read-only": ("all", "none", "none"),
}


def declare_scripts() -> None:
    """Canned replies and knowledge base articles: record types with their history (each
    save a version, restorable), trash, search entry and events."""
    from clientela.core import audit
    from clientela.core.records import RecordType, declare
    from clientela.tickets import knowledge
    from clientela.tickets.models import Article, ArticleCategory, CannedReply
    from clientela.tickets.selectors import articles_for, canned_replies_for

    declare(
        RecordType(
            model=CannedReply,
            selector=canned_replies_for,
            snapshot=canned_snapshot,
            document=canned_document,
            restore=knowledge.restore_canned_reply,
            default_scopes=SCRIPT_SCOPES,
        )
    )
    declare(
        RecordType(
            model=Article,
            selector=articles_for,
            snapshot=article_snapshot,
            document=article_document,
            restore=knowledge.restore_article,
            default_scopes=SCRIPT_SCOPES,
        )
    )
    audit.register(ArticleCategory, lambda category: {"name": category.name})


def canned_snapshot(reply) -> dict:
    return {
        "name": reply.name,
        "body": reply.body,
        "owner": reply.owner.email if reply.owner_id else "",
    }


def article_snapshot(article) -> dict:
    return {
        "title": article.title,
        "category": article.category.name if article.category_id else "",
        "body": article.body,
        "owner": article.owner.email if article.owner_id else "",
    }


def canned_document(reply):
    from clientela.core.search import Document

    return Document(
        title=reply.name, subtitle=reply.body[:120], parts=[reply.body], owner_id=reply.owner_id
    )


def article_document(article):
    from clientela.core.search import Document

    category = article.category.name if article.category_id else ""
    return Document(
        title=article.title,
        subtitle=" · ".join(part for part in (category, article.body[:120]) if part),
        parts=[category, article.body],
        owner_id=article.owner_id,
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
