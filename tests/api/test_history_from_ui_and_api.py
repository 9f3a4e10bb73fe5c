"""One record's History tells a change made on the page from one made through the API,
each with who made it, and a past version restored brings the old values back."""

from __future__ import annotations

import re

import pytest

from clientela.core import audit
from clientela.customers import services as customer_services
from clientela.customers.models import Contact
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


def test_history_shows_the_page_and_the_api_and_restores(client, api_for):
    sales = team_named("Sales")
    ana = create_user(
        email="ana@firma.ro", full_name="Ana Pagina", role=role_named("manager"), team=sales
    )
    ion = create_user(
        email="ion@firma.ro", full_name="Ion Integrare", role=role_named("manager"), team=sales
    )
    contact = customer_services.create_contact(
        actor=ana, data={"full_name": "Maria Ionescu", "position": "Buyer"}
    )
    client.force_login(ana)
    on_page = client.post(
        f"/records/contact/{contact.pk}/inline/",
        {
            "full_name": "Maria Ionescu",
            "position": "Head of purchasing",
            "lifecycle_stage": contact.lifecycle_stage_id,
            "source": contact.source,
            "owner": ana.pk,
            "company": "",
            "version": contact.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert on_page.status_code == 200, on_page.content
    assert Contact.objects.get(pk=contact.pk).position == "Head of purchasing"
    through_api = api_for(ion).patch(
        f"/api/v1/contacts/{contact.pk}", {"next_step": "Send the offer", "version": 2}
    )
    assert through_api.status_code == 200, through_api.content

    page = client.get(f"/records/contact/{contact.pk}/history/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Ana Pagina" in text and "Web page" in text and "Head of purchasing" in text
    assert "Ion Integrare" in text and "API" in text and "Send the offer" in text
    entries = list(audit.history(contact))
    assert [(e.actor.email, e.source) for e in entries[:2]] == [
        ("ion@firma.ro", "api"),
        ("ana@firma.ro", "ui"),
    ]

    first = entries[-1]  # as created
    assert client.post(f"/history/{first.pk}/restore/").status_code == 302
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.position, contact.next_step) == ("Buyer", "")
