"""The address the audit trail and the login lockout record, directly and behind proxies."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from clientela.core.audit import client_ip


def request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_address_is_recorded(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request("10.0.0.5", "198.51.100.7")) == "198.51.100.7"
    # Two proxies in a row: both trusted, the client is the hop before them.
    assert client_ip(request("10.0.0.5", "198.51.100.7, 10.0.0.9")) == "198.51.100.7"


def test_a_client_cannot_forge_its_address_through_the_header(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    # The client sent "1.2.3.4" itself; the proxy appended the real address after it.
    assert client_ip(request("10.0.0.5", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Not from the proxy at all: the header is not believed.
    assert client_ip(request("198.51.100.8", "1.2.3.4")) == "198.51.100.8"


def test_a_garbled_header_falls_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert client_ip(request("10.0.0.5", "")) == "10.0.0.5"


def test_a_wrong_proxy_setting_is_named(settings):
    settings.TRUSTED_PROXIES = ["proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.internal"):
        client_ip(request("10.0.0.5", "198.51.100.7"))


@pytest.mark.django_db
def test_a_failed_login_behind_the_proxy_is_counted_for_the_client(client, settings, user):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client.post(
        "/login/",
        {"username": user.email, "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.23"]
