"""A visitor's pages: the browser's language, a picker to choose another, and a request
sent from the form keeps the language it was written in."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from clientela.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_support_form_follows_the_browser_and_the_picker(client):
    page = client.get("/support/", HTTP_ACCEPT_LANGUAGE="hi-IN,hi;q=0.9,en;q=0.5")
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="hi"' in body
    assert "मदद" in body  # "Ask for help"
    assert 'action="/language/"' in body and 'name="next" value="/support/"' in body
    assert '<option value="hi" lang="hi" selected>' in body

    chosen = client.post("/language/", {"language": "es", "next": "/support/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/support/"
    # The choice wins over the browser's, on every visitor page after.
    page = client.get("/support/", HTTP_ACCEPT_LANGUAGE="hi-IN,hi;q=0.9").content.decode()
    assert '<html lang="es"' in page and "Pedir ayuda" in page


def test_a_request_from_a_new_visitor_makes_a_contact_in_their_language(client, desk):
    cache.clear()  # the form's per-address limit
    response = client.post(
        "/support/",
        {
            "name": "Lucía Fernández",
            "email": "lucia@ruiz.es",
            "subject": "No puedo entrar",
            "description": "Desde ayer.",
            "website": "",
        },
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.language == "es" and ticket.contact.language == "es"
