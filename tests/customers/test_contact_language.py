"""A contact's language: chosen on the form and through the API, shown on their page,
kept in the audit trail; only a language the product writes in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clientela.api import services as api_services
from clientela.core.models import AuditEntry
from clientela.customers import services
from clientela.customers.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user):
    return services.quick_add_contact(
        actor=user, name="Ana Popescu", email="ana@firma.ro", company_name="Firma SRL"
    )


def test_the_form_sets_the_contacts_language_and_the_page_shows_it(user_client, user, ana):
    form_page = user_client.get(f"/contacts/{ana.pk}/edit/").content.decode()
    assert '<option value="hi">Hindi</option>' in form_page
    response = user_client.post(
        f"/contacts/{ana.pk}/edit/",
        {
            "full_name": "Ana Popescu",
            "lifecycle_stage": ana.lifecycle_stage_id,
            "source": "manual",
            "owner": user.pk,
            "language": "hi",
            "version": ana.version,
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=ana.pk).language == "hi"
    page = user_client.get(f"/contacts/{ana.pk}/").content.decode()
    assert "<dt>Language</dt><dd>Hindi</dd>" in page
    change = AuditEntry.objects.filter(object_id=ana.pk, action="update").latest("id")
    assert change.changes["language"] == ["", "hi"]


def test_a_language_the_product_does_not_write_in_is_refused(user, ana):
    with pytest.raises(ValidationError) as refused:
        services.update_contact(
            actor=user, contact=ana, data={"language": "fr"}, expected_version=None
        )
    assert "language" in refused.value.message_dict
    assert Contact.objects.get(pk=ana.pk).language == ""


def test_the_api_reads_and_writes_the_language(client, user, ana):
    _token, raw = api_services.create_token(actor=user, name="t", scopes=["contacts:write"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    changed = client.patch(
        f"/api/v1/contacts/{ana.pk}",
        {"language": "ro"},
        content_type="application/json",
        **auth,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["language"] == "ro"
    assert client.get(f"/api/v1/contacts/{ana.pk}", **auth).json()["language"] == "ro"
    refused = client.patch(
        f"/api/v1/contacts/{ana.pk}",
        {"language": "fr"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 422
    assert Contact.objects.get(pk=ana.pk).language == "ro"
