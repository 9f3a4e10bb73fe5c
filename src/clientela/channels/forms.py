"""The account forms of the settings pages, the e-mail templates' form and the e-mail
composer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.channels.models import EmailTemplate, MailAccount, MessengerAccount
from clientela.core import merge_fields
from clientela.core.forms import DateTimePicker

KEEP_STORED = _("Leave empty to keep the password stored.")


def _secret(label, help_text=KEEP_STORED) -> forms.CharField:
    """A password or token box: write-only, an empty one keeps what is stored."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=help_text,
    )


class AccountForm(forms.ModelForm):
    """Passwords are write-only: an empty box keeps the one stored."""

    imap_password = _secret(_("IMAP password"))
    smtp_password = _secret(_("SMTP password"))

    field_order = (
        "name", "address", "owner", "team", "imap_host", "imap_port", "imap_security",
        "imap_username", "imap_password", "inbox_folder", "smtp_host", "smtp_port",
        "smtp_security", "smtp_username", "smtp_password", "sent_folder", "is_active", "desk_department",
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
            "desk_department",
        )


class ComposeForm(forms.Form):
    account = forms.ModelChoiceField(queryset=MailAccount.objects.none(), label=_("From"))
    to = forms.CharField(label=_("To"), max_length=1000)
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=DateTimePicker,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts


class MessengerForm(forms.ModelForm):
    """Secrets are write-only: an empty box keeps the one stored."""

    access_token = _secret(
        _("Bot or access token"),
        _("Telegram: the token BotFather gave. WhatsApp and Messenger: the access token."),
    )
    app_secret = _secret(
        _("App secret"),
        _("WhatsApp and Messenger: the Meta app's secret, which signs each webhook."),
    )
    webhook_secret = _secret(
        _("Webhook secret"),
        _(
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


class EmailTemplateForm(forms.ModelForm):
    """A template's text with the merge fields it may use listed under it."""

    class Meta:
        model = EmailTemplate
        fields = ("name", "subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Merge fields: %(fields)s.") % {
            "fields": "; ".join(
                f"{merge_fields.written(name)} ({label})"
                for name, (label, _value) in merge_fields.FIELDS.items()
            )
        }
