"""E-mail templates: kept on a settings page by those who manage settings, offered in the
composer of a contact, company or deal, their merge fields filled from the record and the
sender; an unknown merge field is a clear error where it is written, never a message sent
with braces in it."""

from __future__ import annotations

import html

import pytest

from clientela.channels.models import EmailTemplate, Message
from clientela.core.models import AuditEntry
from clientela.customers import services as customer_services
from clientela.deals import services as deal_services
from clientela.users.services import role_named

pytestmark = pytest.mark.django_db

QUOTE = {
    "name": "Quote follow-up",
    "subject": "Your quote, {{ company.name }}",
    "body": "Dear {{ contact.first_name }},\n\nabout {{deal.name}}: see attached.\n\n{{ agent.name }}",
}


@pytest.fixture
def emily(user):
    return customer_services.quick_add_contact(
        actor=user, name="Emily Carter", email="emily@carter.co", company_name="Carter & Co"
    )


@pytest.fixture
def quote(client, user):
    client.force_login(user)
    response = client.post("/settings/email-templates/new/", QUOTE)
    assert response.status_code == 302, response.content.decode()[:2000]
    return EmailTemplate.objects.get(name="Quote follow-up")


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_a_template_with_an_unknown_merge_field_is_refused_naming_it(client, user):
    client.force_login(user)
    response = client.post(
        "/settings/email-templates/new/",
        {"name": "Bad", "subject": "Hi {{ contact.nickname }}", "body": "Dear {{ customer }}"},
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Unknown merge field {{ contact.nickname }}. Use one of:" in page
    assert "Unknown merge field {{ customer }}. Use one of:" in page
    assert "{{ contact.first_name }}" in page
    assert not EmailTemplate.objects.exists()


def test_templates_are_kept_by_those_who_manage_settings_and_audited(
    client, user, quote, make_user
):
    assert quote.subject == QUOTE["subject"]
    assert AuditEntry.objects.filter(action="create", object_id=quote.pk).exists()
    listing = _page(client, "/settings/email-templates/")
    assert "Quote follow-up" in listing and "Your quote, {{ company.name }}" in listing
    rep = make_user(email="rep@firma.ro", role=role_named("sales-representative"))
    client.force_login(rep)
    assert client.get("/settings/email-templates/").status_code == 403
    assert client.post("/settings/email-templates/new/", QUOTE | {"name": "X"}).status_code == 403
    assert EmailTemplate.objects.count() == 1


def test_the_contact_composer_starts_from_a_template_filled_from_the_contact(
    client, user, account, emily, quote
):
    page = _page(client, emily.get_absolute_url())
    assert f'<option value="{quote.pk}">Quote follow-up</option>' in page
    page = _page(client, f"{emily.get_absolute_url()}?template={quote.pk}")
    assert f'<option value="{quote.pk}" selected>Quote follow-up</option>' in page
    assert 'name="subject" maxlength="300" value="Your quote, Carter & Co"' in page
    # No deal here: its field is empty; the sender is the person logged in.
    assert "Dear Emily,\n\nabout : see attached.\n\nAna Popescu</textarea>" in page


def test_the_deal_composer_fills_the_deal_and_its_first_contact(client, user, account, quote):
    emily = customer_services.quick_add_contact(
        actor=user, name="Emily Carter", phone="+40721000000"
    )
    deal = deal_services.create_deal(
        actor=user, data={"name": "40 chairs", "company": emily.company, "contacts": [emily]}
    )
    page = _page(client, f"{deal.get_absolute_url()}?template={quote.pk}")
    assert "Dear Emily,\n\nabout 40 chairs: see attached." in page


def test_a_template_that_no_longer_checks_out_is_named_in_the_composer(
    client, user, account, emily
):
    # Written before a merge field was taken away (saved without the form's check).
    old = EmailTemplate.objects.create(name="Old", subject="Hi", body="{{ contact.nickname }}")
    client.force_login(user)
    page = _page(client, f"{emily.get_absolute_url()}?template={old.pk}")
    assert 'role="alert">Unknown merge field {{ contact.nickname }}. Use one of:' in page


def test_merge_fields_typed_into_the_composer_are_filled_or_refused_on_sending(
    client, user, account, emily, smtp_server, settings
):
    settings.MAIL_UNDO_SECONDS = 0
    client.force_login(user)
    sent = smtp_server[1].received
    before = len(sent)
    form = {"account": account.pk, "to": "emily@carter.co", "subject": "For {{ company.name }}"}
    response = client.post(
        f"/mail/send/contact:{emily.pk}/", form | {"body": "Hi {{ contact.nickname }}"}, follow=True
    )
    assert "Unknown merge field {{ contact.nickname }}" in html.unescape(response.content.decode())
    assert len(sent) == before and not Message.objects.exists()
    client.post(f"/mail/send/contact:{emily.pk}/", form | {"body": "Hi {{ contact.first_name }}"})
    message = Message.objects.get()
    assert message.subject == "For Carter & Co" and message.text.strip() == "Hi Emily"
    assert len(sent) == before + 1 and b"Hi Emily" in sent[-1][2]
