"""Names a new installation starts with are shown in the reader's language; names the
business typed are shown as typed. The API's refusals speak the caller's language."""

from __future__ import annotations

import pytest

from clientela.api import services as api_services
from clientela.customers import services as customers
from clientela.customers.models import LifecycleStage
from clientela.users.services import role_named

pytestmark = pytest.mark.django_db


def speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_seeded_lifecycle_stages_are_translated_and_typed_ones_kept(client, user):
    customers.quick_add_contact(actor=user, name="Ana Popescu", email="ana@firma.ro")
    LifecycleStage.objects.create(key="vip", name="Client VIP de top", position=9)
    client.force_login(speaking(user, "ro"))
    page = client.get("/contacts/").content.decode()
    assert "Potențial client" in page  # "Lead", as seeded
    assert "Client VIP de top" in page  # the business's own, as typed
    assert ">Lead<" not in page
    client.force_login(speaking(user, "hi"))
    assert "लीड" in client.get("/contacts/").content.decode()


def test_roles_and_order_stages_are_shown_in_the_readers_language(client, make_user):
    admin = speaking(make_user(email="admin@firma.ro", administrator=True), "es")
    client.force_login(admin)
    roles = client.get("/settings/roles/").content.decode()
    assert "Administrador" in roles and ">Administrator<" not in roles
    orders = client.get("/orders/").content.decode()
    assert "Realizado" in orders  # the "placed" stage's tab


def test_a_renamed_seeded_role_is_shown_as_typed(client, make_user):
    role = role_named("manager")
    role.name = "Șef de vânzări"
    role.save()
    admin = speaking(make_user(email="admin@firma.ro", administrator=True), "es")
    client.force_login(admin)
    assert "Șef de vânzări" in client.get("/settings/roles/").content.decode()


def test_the_apis_refusals_are_in_the_callers_language(client, user):
    _token, raw = api_services.create_token(
        actor=speaking(user, "ro"), name="t", scopes=["contacts:write"]
    )
    refused = client.post(
        "/api/v1/contacts/",
        {"full_name": "x" * 201, "source": "nowhere"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 422
    by_field = {item["loc"][-1]: item for item in refused.json()["detail"]}
    assert by_field["full_name"]["msg"] == "Scrieți cel mult 200 de caractere."
    assert by_field["full_name"]["type"] == "string_too_long"  # what a program reads
    assert by_field["source"]["msg"].startswith("Alegeți una dintre: ")
    blank = client.post(
        "/api/v1/contacts/",
        {"full_name": "   "},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert blank.json()["detail"][0]["msg"] == "Nu poate fi gol sau doar spații."
