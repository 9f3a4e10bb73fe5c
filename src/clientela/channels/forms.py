"""The account form of the settings page and the e-mail composer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.channels.models import MailAccount


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
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts
