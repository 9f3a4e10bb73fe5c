"""schemathesis against the live OpenAPI spec: every endpoint fuzzed with a token that may
read and write everything; no server error, no answer that breaks the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clientela.api import services
from clientela.api.scopes import all_scopes
from clientela.customers import services as customers

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)


def test_the_api_keeps_its_schema_under_fuzzing(live_server, make_user, settings, tmp_path):
    settings.API_RATE_PER_MINUTE = 100000
    admin = make_user(email="admin@firma.ro", administrator=True)
    customers.create_contact(
        actor=admin, data={"full_name": "Ion Popescu", "emails": ["ion@firma.ro"]}
    )
    _token, raw = services.create_token(actor=admin, name="fuzz", scopes=all_scopes())
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--checks",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "8",
            "--seed",
            "6",
            "--generation-database",
            ":memory:",
            "--request-timeout",
            "20",
            "--header",
            f"Authorization: Bearer {raw}",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
