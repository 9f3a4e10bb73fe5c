"""The e-mail accounts, messengers and e-mail templates settings lists, declared for the
generic settings pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.channels import inbox, services
from clientela.channels.forms import AccountForm, EmailTemplateForm, MessengerForm
from clientela.channels.models import EmailTemplate, MailAccount, MessengerAccount
from clientela.core.settings_pages import Column, SettingsPage, declare


def declare_pages() -> None:
    declare(
        SettingsPage(
            key="mail-accounts",
            label=_("E-mail accounts"),
            description=_(
                "Mailboxes fetched onto the timelines and sent from, personal or shared."
            ),
            add_label=_("New e-mail account"),
            icon="envelope",
            model=MailAccount,
            form=AccountForm,
            columns=(
                Column(_("Account"), lambda a: a.name),
                Column(_("Address"), lambda a: a.address),
                Column(
                    _("Held by"),
                    lambda a: a.owner.display_name if a.owner else (a.team or _("Everyone")),
                ),
                Column(_("Last error"), lambda a: a.last_error or "—"),
                Column(
                    _("Connection"),
                    lambda a: _("Test"),
                    link=lambda a: reverse("channels:account-test", args=[a.pk]),
                ),
            ),
            queryset=lambda: MailAccount.objects.select_related("owner", "team"),
            save=services.save_account,
            deletable=False,
            help=_("Passwords are stored encrypted. New mail is fetched every few minutes."),
        )
    )
    declare(
        SettingsPage(
            key="messengers",
            label=_("Messengers"),
            description=_(
                "Telegram bots, WhatsApp numbers and Facebook pages whose messages reach the "
                "inbox and the timelines."
            ),
            add_label=_("New messenger account"),
            icon="chat-bubble-left-right",
            model=MessengerAccount,
            form=MessengerForm,
            columns=(
                Column(_("Account"), lambda a: a.name),
                Column(_("Messenger"), lambda a: a.get_kind_display()),
                Column(
                    _("Held by"),
                    lambda a: a.owner.display_name if a.owner else (a.team or _("Everyone")),
                ),
                Column(
                    _("Webhook address"),
                    lambda a: reverse("inbox:webhook", args=[a.webhook_key]),
                ),
            ),
            queryset=lambda: MessengerAccount.objects.select_related("owner", "team"),
            save=inbox.save_messenger,
            deletable=False,
            help=_(
                "Secrets are stored encrypted. Give the provider the webhook address shown "
                "in the list, on this server's public address."
            ),
        )
    )
    declare(
        SettingsPage(
            key="email-templates",
            label=_("E-mail templates"),
            description=_(
                "Messages written once, with merge fields, that the e-mail composer starts from."
            ),
            add_label=_("New e-mail template"),
            icon="document-duplicate",
            model=EmailTemplate,
            form=EmailTemplateForm,
            columns=(
                Column(_("Template"), lambda t: t.name),
                Column(_("Subject"), lambda t: t.subject or "—"),
            ),
            ordering=("name", "id"),
            help=_(
                "Merge fields such as {{ contact.first_name }} are filled from the contact, "
                "company, deal or ticket the e-mail is sent from, and from the sender."
            ),
        )
    )
