"""The account form of the settings page and the e-mail composer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.channels.models import MailAccount, MessengerAccount


class AccountForm(forms.ModelForm):
    """Passwords are write-only: an empty box keeps the one stored."""

    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the password stored."),
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the password stored."),
    )

    field_order = (
        "name", "address", "owner", "team", "imap_host", "imap_port", "imap_security",
        "imap_username", "imap_password", "inbox_folder", "smtp_host", "smtp_port",
        "smtp_security", "smtp_username", "smtp_password", "sent_folder", "is_active",
    )  # fmt: skip

    class Meta:
        model = MailAccount
        fields = (
            "name",
            "address",
            "owner",
            "team",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_username",
            "inbox_folder",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "sent_folder",
            "is_active",
        )


class ComposeForm(forms.Form):
    account = forms.ModelChoiceField(queryset=MailAccount.objects.none(), label=_("From"))
    to = forms.CharField(label=_("To"), max_length=1000)
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts


class MessengerForm(forms.ModelForm):
    """Secrets are write-only: an empty box keeps the one stored."""

    access_token = forms.CharField(
        label=_("Bot or access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Telegram: the token BotFather gave. WhatsApp and Messenger: the access token."
        ),
    )
    app_secret = forms.CharField(
        label=_("App secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("WhatsApp and Messenger: the Meta app's secret, which signs each webhook."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Telegram: the secret token set with setWebhook. WhatsApp and Messenger: the "
            "verify token. Leave empty to keep the one stored."
        ),
    )

    field_order = (
        "kind", "name", "owner", "team", "sender_id", "access_token", "app_secret",
        "webhook_secret", "is_active",
    )  # fmt: skip

    class Meta:
        model = MessengerAccount
        fields = ("kind", "name", "owner", "team", "sender_id", "is_active")
