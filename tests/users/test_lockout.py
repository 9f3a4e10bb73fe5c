"""Repeated failed logins: a warning, then a lock per e-mail and IP that lifts after its
time or when an administrator unlocks it; every attempt is on record for administrators."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.db.models import F
from django.urls import get_resolver
from django.utils import timezone
from freezegun import freeze_time

PASSWORD = "Corect-cal-baterie-9"
EMAIL = "ana.popescu@firma.ro"


def log_in(client, password="wrong-password", email=EMAIL, **extra):
    return client.post("/login/", {"username": email, "password": password}, **extra)


def fail(client, times, **kwargs):
    return [log_in(client, **kwargs) for _ in range(times)]


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


@contextlib.contextmanager
def early_in_a_minute():
    """The clock jumps to 5 seconds into the next minute and runs on from there. A lock page
    says "in 15 minutes" only until the minute after the lock turns: rendered a moment past
    it (a lock at 10:00:59.7, its page at 10:01:00.1) it rightly says 14, and a test would
    race that."""
    get_resolver().url_patterns  # noqa: B018 - the API's schemas are built on the real clock
    start = timezone.now().replace(second=5, microsecond=0) + datetime.timedelta(minutes=1)
    with freeze_time(start, tick=True):
        yield


@pytest.mark.django_db
def test_failures_warn_how_many_attempts_are_left_then_lock(client, user):
    with early_in_a_minute():
        first, second, third, fourth = fail(client, 4)
        assert first.status_code == 200
        assert "more failed attempt" not in first.content.decode()
        assert "3 more failed attempts pause logging in for 15 minutes." in second.content.decode()
        assert "2 more failed attempts pause" in third.content.decode()
        assert "1 more failed attempt pauses logging in for 15 minutes." in fourth.content.decode()

        locked = log_in(client)
        page = locked.content.decode()
        assert locked.status_code == 429
        assert "Logging in is paused for this account on this computer." in page
        attempt = AccessAttempt.objects.get(username=EMAIL)
        ends = attempt.attempt_time + datetime.timedelta(minutes=15)
        # Never a minute early: the time shown is rounded up.
        until = timezone.localtime(
            ends.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        )
        assert f"Try again at {until:%H:%M} (in 15\xa0minutes)" in page
        assert "ask an administrator to unlock it" in page
        # The form is still there, with the e-mail kept, on the product's own page.
        assert f'value="{EMAIL}"' in page
        assert "Log in to Clientela" in page

        # Even the right password is refused while the lock lasts.
        still_locked = log_in(client, PASSWORD)
        assert still_locked.status_code == 429
        assert "Logging in is paused" in still_locked.content.decode()
        assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_lock_counts_the_email_in_any_case(client, user):
    fail(client, 3, email="ANA.Popescu@firma.ro")
    fail(client, 2, email=EMAIL)
    assert log_in(client, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_lock_is_per_account_and_address(client, user, make_user):
    make_user(email="jose@empresa.es")
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429
    # The same person from another address, and a colleague from the same one, get in.
    elsewhere = log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert elsewhere.status_code == 302
    client.post("/logout/")
    colleague = log_in(client, PASSWORD, email="jose@empresa.es")
    assert colleague.status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_lockout_time(client, user):
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429
    # Sixteen minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)
    # A success starts the count afresh.
    assert not AccessAttempt.objects.filter(username=EMAIL).exists()


@pytest.mark.django_db
def test_limits_come_from_the_clientela_settings(client, user, settings):
    settings.CLIENTELA_LOGIN_FAILURES = 2
    settings.CLIENTELA_LOCKOUT_MINUTES = 60
    first, second = fail(client, 2)
    assert first.status_code == 200
    assert second.status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=30))
    assert log_in(client, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_unlock_command_lets_the_person_in_at_once(client, user, capsys):
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429

    call_command("unlock", "Ana.Popescu@Firma.ro")
    assert "ana.popescu@firma.ro can log in again." in capsys.readouterr().out
    assert log_in(client, PASSWORD).status_code == 302

    call_command("unlock", EMAIL)
    assert "was not locked out" in capsys.readouterr().out


@pytest.mark.django_db
def test_failed_and_successful_logins_are_on_record_for_administrators(client, user, make_user):
    fail(client, 2)
    log_in(client, PASSWORD)
    assert AccessFailureLog.objects.filter(username=EMAIL).count() == 2
    assert AccessLog.objects.filter(username=EMAIL).count() == 1
    # No password is kept in the records.
    assert "wrong-password" not in str(list(AccessAttempt.objects.values()))
    assert "wrong-password" not in str(list(AccessFailureLog.objects.values()))

    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    failures = client.get("/admin/axes/accessfailurelog/")
    assert failures.status_code == 200
    assert EMAIL in failures.content.decode()
    successes = client.get("/admin/axes/accesslog/")
    assert successes.status_code == 200
    assert EMAIL in successes.content.decode()
