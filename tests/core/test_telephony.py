"""Click-to-call: every number shown dials through `tel:` or the phone system's address an
administrator set (http(s) with {number}, the number URL-encoded in E.164)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clientela.core.models import AuditEntry
from clientela.core.telephony import services
from clientela.customers import services as customer_services


def test_tel_link_without_a_phone_system():
    assert services.dial_href("+40722123456") == "tel:+40722123456"
    assert services.dial_href("") == ""


def test_phone_system_address_gets_the_number_url_encoded():
    template = "https://pbx.example.com/dial?to={number}&from=crm"
    assert (
        services.dial_href("+40722123456", template)
        == "https://pbx.example.com/dial?to=%2B40722123456&from=crm"
    )


@pytest.mark.parametrize(
    "template",
    [
        "javascript:alert(1)//{number}",
        "ftp://pbx.example.com/{number}",
        "https://pbx.example.com/dial",
        "https:///{number}",
        'https://pbx.example.com/"{number}',
    ],
)
def test_refuses_what_is_no_web_address_with_the_number(template):
    with pytest.raises(ValidationError):
        services.clean_dial_template(template)


@pytest.mark.django_db
def test_saving_is_audited_and_needs_settings_rights(make_user):
    admin = make_user(email="admin@firma.ro", administrator=True)
    services.set_dial_template(actor=admin, template=" https://pbx.example.com/d?n={number} ")
    assert services.dial_template() == "https://pbx.example.com/d?n={number}"
    assert AuditEntry.objects.filter(action="update").exists()
    plain = make_user(email="seller@firma.ro")
    with pytest.raises(PermissionDenied):
        services.set_dial_template(actor=plain, template="")


@pytest.mark.django_db
def test_contact_page_and_list_dial_through_the_phone_system(client, make_user):
    admin = make_user(email="admin@firma.ro", administrator=True)
    contact = customer_services.quick_add_contact(
        actor=admin, name="Ion Pop", phone="+40 722 123 456"
    )
    client.force_login(admin)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert 'href="tel:+40722123456"' in page
    response = client.post(
        reverse("core:telephony"), {"template": "https://pbx.example.com/dial?to={number}"}
    )
    assert response.status_code == 302
    expected = 'href="https://pbx.example.com/dial?to=%2B40722123456"'
    assert expected in client.get(contact.get_absolute_url()).content.decode()
    assert expected in client.get(reverse("customers:contact-list")).content.decode()


@pytest.mark.django_db
def test_a_bad_address_is_a_message_on_the_form(client, make_user):
    client.force_login(make_user(email="admin@firma.ro", administrator=True))
    response = client.post(reverse("core:telephony"), {"template": "https://pbx.example.com/"})
    assert response.status_code == 400
    assert "{number}" in response.content.decode()
    assert services.dial_template() == ""
