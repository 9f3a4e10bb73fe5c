"""Tokens: scopes, revocation, expiry, last use, rate limit, the settings page and the
`clientela token create` command."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from clientela.api.models import ApiToken
from clientela.api.services import hash_token
from clientela.customers import services
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    cache.clear()


def test_scopes_limit_what_a_token_may_do(api_for, admin):
    contact = services.create_contact(actor=admin, data={"full_name": "Ion"})
    reader = api_for(admin, ["contacts:read"])
    assert reader.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    refused = reader.patch(f"/api/v1/contacts/{contact.pk}", {"position": "CFO"})
    assert refused.status_code == 403 and "contacts:write" in refused.json()["detail"]
    assert reader.get("/api/v1/companies/").status_code == 403
    writer = api_for(admin, ["contacts:write"])
    assert writer.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    assert writer.patch(f"/api/v1/contacts/{contact.pk}", {"position": "CFO"}).status_code == 200


def test_no_token_a_wrong_one_a_revoked_or_expired_one_is_401(client, api_for, admin):
    assert ApiClient(client, None).get("/api/v1/contacts/").status_code == 401
    assert ApiClient(client, "clt_not-a-token").get("/api/v1/contacts/").status_code == 401
    api = api_for(admin, ["contacts:read"])
    assert api.get("/api/v1/contacts/").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None

    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    expired = api.get("/api/v1/contacts/")
    assert expired.status_code == 401 and expired["WWW-Authenticate"] == "Bearer"

    token.expires_at = None
    token.revoked_at = timezone.now()
    token.save()
    assert api.get("/api/v1/contacts/").status_code == 401


def test_rate_limit_answers_429_with_retry_after(api_for, admin, settings):
    settings.API_RATE_PER_MINUTE = 3
    api = api_for(admin, ["contacts:read"])
    assert [api.get("/api/v1/contacts/").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/api/v1/contacts/")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert api_for(admin, ["contacts:read"]).get("/api/v1/contacts/").status_code == 200


def test_the_page_shows_a_new_token_once_stores_only_its_hash_and_revokes(user_client, user):
    page = user_client.post(
        "/account/api-tokens/",
        {"name": "Shop sync", "scopes": ["contacts:read", "tasks:write"], "expires_in_days": "30"},
    )
    assert page.status_code == 200
    raw = page.context["new_token"]
    assert raw.startswith("clt_") and raw in page.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_token(raw) and raw not in str(token.__dict__)
    assert token.scopes == ["contacts:read", "tasks:write"]
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    assert raw not in user_client.get("/account/api-tokens/").content.decode()

    user_client.post(f"/account/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_page_refuses_a_token_without_scopes(user_client):
    page = user_client.post("/account/api-tokens/", {"name": "Nothing"})
    assert page.status_code == 400 and not ApiToken.objects.exists()


def test_the_command_prints_a_working_token(client, admin, capsys):
    call_command(
        "token", "create", "--user", "ADMIN@firma.ro", "--scope", "contacts:read,users:read"
    )
    raw = capsys.readouterr().out.strip()
    api = ApiClient(client, raw)
    assert api.get("/api/v1/users/").status_code == 200
    assert api.get("/api/v1/tasks/").status_code == 403


def test_the_browser_session_works_and_its_writes_need_the_csrf_token(admin):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    assert browser.get("/api/v1/contacts/").status_code == 200
    body = '{"full_name": "From the browser"}'
    refused = browser.post("/api/v1/contacts/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/account/api-tokens/")  # sets the CSRF cookie, as any page does
    token = browser.cookies["csrftoken"].value
    made = browser.post(
        "/api/v1/contacts/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert made.status_code == 201
