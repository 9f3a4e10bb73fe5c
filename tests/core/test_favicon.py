"""The icon browsers ask for on every page: linked from each page and served at
/favicon.ico (which answered 404), to anyone, logged in or not."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_from_static_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/clientela/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    path = finders.find("clientela/favicon.ico")
    assert path, "static/clientela/favicon.ico is missing"
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\0\0\1\0"  # an ICO file's signature


def test_pages_and_error_pages_link_the_icon(user_client):
    for page in (
        Client().get("/login/"),
        user_client.get("/"),
        user_client.get("/no-such-page/"),
    ):
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page.content.decode())
        assert "/static/clientela/favicon.ico" in icons, page.status_code
        assert "/static/clientela/favicon.svg" in icons
