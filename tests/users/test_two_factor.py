"""Two-factor login: set up with a QR code, log in with a generated code, recovery codes
that work once, turning it off, and the rule that makes it required."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from axes.models import AccessAttempt

from clientela.security import services
from clientela.security.models import RecoveryCode, TwoFactorDevice
from clientela.security.views import PENDING

PASSWORD = "Corect-cal-baterie-9"
CODE_RE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


def next_code(user) -> str:
    """The code the phone shows in the next 30-second step: the current one was used up
    when two-factor was confirmed, and a code is never accepted twice."""
    secret = TwoFactorDevice.objects.get(user=user).secret
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.fixture
def two_factor_user(user):
    device = services.start_two_factor(actor=user)
    codes = services.confirm_two_factor(actor=user, code=pyotp.TOTP(device.secret).now())
    user.recovery = codes
    return user


def log_in_password(client, user):
    return client.post("/login/", {"username": user.email, "password": PASSWORD})


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.django_db
def test_set_up_shows_a_qr_code_and_the_key_then_confirms_with_a_code(user_client, user):
    page = user_client.get("/account/two-factor/").content.decode()
    assert "Two-factor login is off" in page

    assert user_client.post("/account/two-factor/", {"action": "start"}).status_code == 302
    page = user_client.get("/account/two-factor/").content.decode()
    device = TwoFactorDevice.objects.get(user=user)
    assert not device.confirmed
    assert 'class="qr"><title>QR code for your authenticator app</title>' in page
    assert f"<code>{device.secret[:4]}</code>" in page

    wrong = user_client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert "That code is not right. Check the phone" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    code = pyotp.TOTP(device.secret).now()
    done = user_client.post(
        "/account/two-factor/", {"action": "confirm", "code": code}, follow=True
    )
    page = done.content.decode()
    assert "Two-factor login is on." in page
    assert "Your recovery codes" in page
    codes = CODE_RE.findall(page)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: the next visit shows how many are left, not the codes.
    page = user_client.get("/account/two-factor/").content.decode()
    assert "You have 10 unused recovery codes." in page
    assert codes[0] not in page


@pytest.mark.django_db
def test_recovery_codes_are_kept_only_as_hashes(two_factor_user):
    stored = list(RecoveryCode.objects.filter(user=two_factor_user))
    assert len(stored) == 10
    everything = str([vars(code) for code in stored])
    for code in two_factor_user.recovery:
        assert code not in everything
        assert code.replace("-", "") not in everything
    assert all(len(code.code_hash) == 64 for code in stored)


@pytest.mark.django_db
def test_login_asks_for_the_code_after_the_password(client, two_factor_user):
    response = log_in_password(client, two_factor_user)
    assert response.status_code == 302
    assert response["Location"] == "/login/code/"
    # The password alone opens nothing.
    assert not is_logged_in(client)
    page = client.get("/login/code/").content.decode()
    assert "Type your login code" in page
    assert 'autocomplete="one-time-code"' in page

    done = client.post("/login/code/", {"code": next_code(two_factor_user)})
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert is_logged_in(client)
    assert PENDING not in client.session


@pytest.mark.django_db
def test_login_keeps_the_page_asked_for(client, two_factor_user):
    client.post(
        "/login/", {"username": two_factor_user.email, "password": PASSWORD, "next": "/contacts/"}
    )
    done = client.post("/login/code/", {"code": next_code(two_factor_user)})
    assert done["Location"] == "/contacts/"


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(client, two_factor_user):
    log_in_password(client, two_factor_user)
    response = client.post("/login/code/", {"code": "123456"})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get(username=two_factor_user.email).failures_since_start == 1

    for _ in range(4):
        response = client.post("/login/code/", {"code": "123456"})
    assert response.status_code == 429
    assert "Logging in is paused" in response.content.decode()
    # Locked: even the right code does not get in now.
    log_in_password(client, two_factor_user)
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_code_is_accepted_only_once(client, two_factor_user):
    code = next_code(two_factor_user)
    log_in_password(client, two_factor_user)
    client.post("/login/code/", {"code": code})
    assert is_logged_in(client)
    client.post("/logout/")

    log_in_password(client, two_factor_user)
    again = client.post("/login/code/", {"code": code})
    assert again.status_code == 200
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_recovery_code_logs_in_once(client, two_factor_user):
    code = two_factor_user.recovery[3]
    log_in_password(client, two_factor_user)
    assert client.post("/login/code/", {"code": code.upper()}).status_code == 302
    assert is_logged_in(client)
    assert (
        "You have 9 unused recovery codes." in client.get("/account/two-factor/").content.decode()
    )
    client.post("/logout/")

    log_in_password(client, two_factor_user)
    again = client.post("/login/code/", {"code": code})
    assert "That code is not right." in again.content.decode()
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_code_page_expires(client, two_factor_user):
    log_in_password(client, two_factor_user)
    session = client.session
    session[PENDING] = {**session[PENDING], "at": int(time.time()) - 301}
    session.save()
    response = client.post("/login/code/", {"code": next_code(two_factor_user)}, follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Log in again: the code page was open too long." in response.content.decode()
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_code_page_without_a_password_goes_to_log_in(client):
    assert client.get("/login/code/")["Location"] == "/login/"


@pytest.mark.django_db
def test_turning_off_needs_a_code(client, two_factor_user):
    client.force_login(two_factor_user)
    wrong = client.post("/account/two-factor/", {"action": "off", "code": "000000"})
    assert "That code is not right, so two-factor login stays on." in wrong.content.decode()
    assert TwoFactorDevice.objects.filter(user=two_factor_user).exists()

    off = client.post(
        "/account/two-factor/", {"action": "off", "code": next_code(two_factor_user)}, follow=True
    )
    assert "Two-factor login is off." in off.content.decode()
    assert not TwoFactorDevice.objects.filter(user=two_factor_user).exists()
    assert not RecoveryCode.objects.filter(user=two_factor_user).exists()
    client.post("/logout/")
    # Back to the password alone.
    assert log_in_password(client, two_factor_user)["Location"] == "/"


@pytest.mark.django_db
def test_turning_on_and_off_is_in_the_audit_trail(two_factor_user):
    from clientela.core.audit import history

    actions = [entry.action for entry in history(two_factor_user)]
    assert actions == ["two_factor_on"]


@pytest.mark.django_db
def test_required_for_administrators_only_when_the_setting_says_so(make_user, settings):
    from clientela.users.two_factor import required_for

    admin = make_user(email="admin@firma.ro", administrator=True)
    rep = make_user(email="rep@firma.ro")
    settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS = False
    assert not required_for(admin)
    settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS = True
    assert required_for(admin)
    assert not required_for(rep)


@pytest.mark.django_db
def test_a_user_who_must_use_two_factor_reaches_only_the_set_up_page(client, make_user, settings):
    settings.CLIENTELA_REQUIRE_2FA_FOR_ADMINS = True
    admin = make_user(email="admin@firma.ro", administrator=True)
    response = log_in_password(client, admin)
    assert client.get(response["Location"])["Location"] == "/account/two-factor/"
    for path in ("/", "/contacts/", "/admin/", "/account/password/", "/search/?q=a"):
        assert client.get(path)["Location"] == "/account/two-factor/", path
    page = client.get("/account/two-factor/").content.decode()
    assert "Your administrator asks everyone in your position" in page
    assert client.get("/healthz").status_code == 200

    client.post("/account/two-factor/", {"action": "start"})
    secret = TwoFactorDevice.objects.get(user=admin).secret
    client.post("/account/two-factor/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert client.get("/").status_code == 200

    # Logging out stays possible before that, too.
    other = make_user(email="admin2@firma.ro", administrator=True)
    client.force_login(other)
    assert client.post("/logout/")["Location"] == "/login/"


@pytest.mark.django_db
def test_a_role_can_require_two_factor_for_everyone_in_it(client, make_user):
    from clientela.users.services import role_named

    role = role_named("manager")
    role.permissions = {**role.permissions, "require_two_factor": True}
    role.save()
    manager = make_user(email="boss@firma.ro", role=role)
    rep = make_user(email="rep@firma.ro")
    client.force_login(manager)
    assert client.get("/contacts/")["Location"] == "/account/two-factor/"
    client.force_login(rep)
    assert client.get("/contacts/").status_code == 200
