"""A token-carrying API client for the API tests."""

from __future__ import annotations

import json

import pytest

from clientela.api import services


class ApiClient:
    def __init__(self, client, raw: str | None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}

    def _send(self, method, path, body=None, **headers):
        extra = {
            **self.headers,
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        }
        if body is None:
            return getattr(self.client, method)(path, **extra)
        return getattr(self.client, method)(
            path, json.dumps(body), content_type="application/json", **extra
        )

    def get(self, path, **headers):
        return self._send("get", path, **headers)

    def post(self, path, body, **headers):
        return self._send("post", path, body, **headers)

    def patch(self, path, body, **headers):
        return self._send("patch", path, body, **headers)

    def delete(self, path, **headers):
        return self._send("delete", path, **headers)


@pytest.fixture
def api_for(client):
    """api_for(user, scopes) → a client sending a new token of `user` with `scopes`."""

    def make(
        user, scopes=("contacts:write", "companies:write", "tasks:write", "activities:write"), **kw
    ):
        _token, raw = services.create_token(actor=user, name="tests", scopes=list(scopes), **kw)
        return ApiClient(client, raw)

    return make


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)


@pytest.fixture
def api(api_for, admin):
    return api_for(admin)
