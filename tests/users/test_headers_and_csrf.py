"""Security headers on every page, pages that need no inline script or style, and CSRF
refusing a form posted without its token."""

from __future__ import annotations

import re

import pytest
from django.test import Client

PAGES = ["/", "/contacts/", "/companies/", "/my-day/", "/account/two-factor/", "/search/?q=an"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/password-reset/"])
def test_public_pages_send_the_security_headers(client, path):
    check_headers(client.get(path))


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_app_pages_send_the_headers_and_need_no_inline_code(user_client, path):
    response = user_client.get(path)
    assert response.status_code == 200
    check_headers(response)
    page = response.content.decode()
    assert not INLINE_SCRIPT.findall(page)
    assert not INLINE_STYLE.findall(page)
    assert not INLINE_HANDLER.findall(page)


def check_headers(response):
    policy = directives(response["Content-Security-Policy"])
    # Only the static files' folder of this origin (and the two translation catalogues,
    # scripts made by views): never an attached file's path.
    assert policy["script-src"] == [
        "http://testserver/static/",
        "http://testserver/jsi18n/",
        "http://testserver/admin/jsi18n/",
    ]
    assert policy["style-src"] == ["http://testserver/static/"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_or_eval(user_client):
    page = user_client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/logout/",
        "/account/password/",
        "/account/two-factor/",
        "/contacts/quick-add/",
        "/contacts/new/",
        "/companies/new/",
        "/trash/action/",
        "/tasks/1/done/",
    ],
)
def test_a_form_posted_without_its_csrf_token_is_refused(user, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(path, {"action": "start", "full_name": "Ioana", "name": "Fabrica"})
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/login/code/", "/password-reset/"])
def test_public_forms_refuse_a_post_without_its_csrf_token(user, path):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": user.email, "password": "x", "email": user.email})
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()


@pytest.mark.django_db
def test_the_same_post_with_its_token_goes_through(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/account/two-factor/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/account/two-factor/", {"action": "start", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
