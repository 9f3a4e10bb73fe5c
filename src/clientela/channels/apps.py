"""Registers the channels app: its settings page, its panel on record pages and what it
adds to e-mail entries of the timeline."""

from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "clientela.channels"
    label = "channels"
    verbose_name = _("Conversations")

    def ready(self):
        from clientela.activities import record_page
        from clientela.channels import selectors, settings_pages, views
        from clientela.channels.models import MailAccount, Message, MessengerAccount
        from clientela.core import audit, first_steps, search

        # The encrypted passwords stay out of the audit trail.
        audit.register(
            MailAccount,
            lambda a: {
                "name": a.name,
                "address": a.address,
                "owner": a.owner_id,
                "team": a.team_id,
                "imap": f"{a.imap_username}@{a.imap_host}:{a.imap_port}",
                "smtp": f"{a.smtp_username}@{a.smtp_host}:{a.smtp_port}",
                "is_active": a.is_active,
                "desk_department": a.desk_department_id,
            },
        )
        # Secrets stay out of the audit trail.
        audit.register(
            MessengerAccount,
            lambda a: {
                "kind": a.kind,
                "name": a.name,
                "owner": a.owner_id,
                "team": a.team_id,
                "sender_id": a.sender_id,
                "is_active": a.is_active,
            },
        )
        settings_pages.declare_pages()
        # "Connect your e-mail": a mailbox of one's own, or one shared with one's team.
        first_steps.register(
            "email",
            lambda user: MailAccount.objects.filter(
                Q(owner_id=user.pk) | Q(team_id=getattr(user, "team_id", None) or 0)
            ).exists(),
        )
        # Messages are found by the one search, each shown to those who may read its
        # conversation.
        search.register(Message, selectors.search_document, selectors.visible_messages)
        record_page.PANELS.append(views.composer_panel)
        record_page.TIMELINE_EXTRAS.append(selectors.mail_on_timeline)
        # Agents' replies on tickets opened from a support inbox go out by e-mail.
        from clientela.channels import sending
        from clientela.tickets import outbound
        from clientela.tickets.models import Channel as TicketChannel

        outbound.register_sender(TicketChannel.EMAIL, sending.send_ticket_reply)
