"""Password rules on every path that sets a password, and how long a login lasts."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.users import services
from clientela.users.models import User

PASSWORD = "Corect-cal-baterie-9"
NEW_PASSWORD = "Rau-Dunarea-curge-7"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("scurt-1", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("4829173650", "This password is entirely numeric."),
        ("ana.popescu", "The password is too similar to the e-mail address."),
    ],
)
def test_changing_to_a_weak_password_says_why(user_client, user, weak, message):
    response = user_client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_rules_are_shown_before_typing(user_client):
    page = user_client.get("/account/password/").content.decode()
    assert "Your password must contain at least 10 characters." in page


@pytest.mark.django_db
def test_a_reset_refuses_a_weak_password(client, user):
    client.post("/password-reset/", {"email": user.email})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_first_administrator_needs_a_good_password():
    with pytest.raises(ValidationError) as error:
        services.ensure_first_administrator(email="admin@firma.ro", password="admin")
    assert "This password is too short." in " ".join(error.value.messages)
    result = services.ensure_first_administrator(email="admin@firma.ro", password=None)
    # The generated one passes the same rules.
    assert result.user.check_password(result.generated_password)


@pytest.mark.django_db
def test_the_admin_site_applies_the_rules_too(client, make_user):
    client.force_login(make_user(email="admin@firma.ro", administrator=True))
    response = client.post(
        "/admin/users/user/add/",
        {
            "email": "rep@firma.ro",
            "usable_password": "true",
            "password1": "12345",
            "password2": "12345",
        },
    )
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="rep@firma.ro").exists()


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(make_user):
    from django.test import override_settings

    from tests.conftest import PRODUCT_PASSWORD_HASHERS

    with override_settings(PASSWORD_HASHERS=PRODUCT_PASSWORD_HASHERS):
        user = make_user(email="argon@firma.ro")
        assert user.password.startswith("argon2$")
        assert user.check_password("Corect-cal-baterie-9")


@pytest.mark.django_db
def test_a_password_change_logs_out_every_other_session(user):
    here, laptop = Client(), Client()
    here.force_login(user)
    laptop.force_login(user)
    assert laptop.get("/").status_code == 200

    response = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Every other browser or device that was logged in" in response.content.decode()
    # This browser stays in; the other one is sent to log in.
    assert here.get("/").status_code == 200
    assert laptop.get("/")["Location"] == "/login/?next=/"


@pytest.mark.django_db
def test_a_reset_logs_out_every_session(client, user):
    laptop = Client()
    laptop.force_login(user)
    client.post("/password-reset/", {"email": user.email})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert laptop.get("/").status_code == 302


@pytest.mark.django_db
def test_a_login_lasts_the_configured_time(client, user, settings):
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 43200
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_a_login_can_end_when_the_browser_closes(client, user, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"]
    assert not cookie["expires"]
