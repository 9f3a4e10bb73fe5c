"""Required two-factor login holds in the API too: a session the pages send to the set-up
page gets a 403 from the API, and so does a token of a person who must use two-factor
and has not set it up, until they do."""

from __future__ import annotations

import pyotp
import pytest

from clientela.customers.models import Contact
from clientela.security import services as security_services

PASSWORD = "Corect-cal-baterie-9"
SET_UP_FIRST = "Two-factor login is required for your account and is not set up yet"


@pytest.fixture
def required(settings):
    settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS = True


def set_up_two_factor(user) -> None:
    device = security_services.start_two_factor(actor=user)
    security_services.confirm_two_factor(actor=user, code=pyotp.TOTP(device.secret).now())


@pytest.mark.django_db
def test_a_session_sent_to_set_up_two_factor_reads_and_writes_nothing_in_the_api(
    client, admin, required
):
    # Logged in with the password, as the login page leaves an administrator who has no
    # second factor yet.
    response = client.post("/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/contacts/")["Location"] == "/account/two-factor/"

    listed = client.get("/api/v1/contacts/")
    assert listed.status_code == 403
    assert listed["Content-Type"].startswith("application/json")
    assert SET_UP_FIRST in listed.json()["detail"]
    assert "/account/two-factor/" in listed.json()["detail"]
    assert client.get("/api/v1/users/").status_code == 403

    created = client.post(
        "/api/v1/contacts/", {"full_name": "Ion Pop"}, content_type="application/json"
    )
    assert created.status_code == 403
    assert not Contact.objects.exists()

    # Once two-factor is on, the same session reaches both.
    set_up_two_factor(admin)
    assert client.get("/contacts/").status_code == 200
    assert client.get("/api/v1/contacts/").status_code == 200


@pytest.mark.django_db
def test_a_token_of_someone_who_must_set_up_two_factor_works_only_once_they_have(
    api_for, admin, settings
):
    # Issued before two-factor became required for administrators.
    api = api_for(admin)
    assert api.get("/api/v1/contacts/").status_code == 200

    settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS = True
    refused = api.get("/api/v1/contacts/")
    assert refused.status_code == 403
    assert SET_UP_FIRST in refused.json()["detail"]
    assert api.post("/api/v1/contacts/", {"full_name": "Ion Pop"}).status_code == 403
    assert not Contact.objects.exists()

    set_up_two_factor(admin)
    assert api.get("/api/v1/contacts/").status_code == 200


@pytest.mark.django_db
def test_people_not_required_to_use_two_factor_keep_using_the_api(api_for, make_user, required):
    rep = make_user(email="rep@firma.ro")
    assert api_for(rep).get("/api/v1/contacts/").status_code == 200
