"""schemathesis against the live OpenAPI spec, with every check it has: every endpoint
fuzzed with a token of all scopes, as each default role (its scopes narrow it); no
server error, no answer that breaks the schema, every request the schema calls invalid
refused, and every request it calls valid accepted (schemathesis_hooks.py: less the
refusals that depend on stored data).

The administrator, whose token reaches every operation, is fuzzed on both databases. The
four narrower roles, whose scopes and visibility only narrow the same code, share one run
on PostgreSQL (the database of installations with many users and roles): the requests
generated for each operation are sent as each of them in turn, so every operation is
fuzzed as every role, in the time of one run rather than four.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from clientela.api import services
from clientela.api.scopes import all_scopes
from clientela.customers import services as customers
from clientela.users.services import role_named

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
NARROWER_ROLES = ["sales-representative", "manager", "support-agent", "marketing"]


@pytest.mark.parametrize("who", ["administrator", "narrower roles"])
def test_the_api_keeps_its_schema_under_fuzzing(live_server, make_user, settings, tmp_path, who):
    if who != "administrator" and connection.vendor != "postgresql":
        pytest.skip("the narrower roles are fuzzed on the PostgreSQL pass of the test command")
    settings.API_RATE_PER_MINUTE = 100000
    admin = make_user(email="admin@firma.ro", administrator=True)
    customers.create_contact(
        actor=admin, data={"full_name": "Ion Popescu", "emails": ["ion@firma.ro"]}
    )
    users = (
        {"administrator": admin}
        if who == "administrator"
        else {
            role: make_user(email=f"{role}@firma.ro", role=role_named(role))
            for role in NARROWER_ROLES
        }
    )
    # Each request carries one role's token, set by schemathesis_hooks.AsEachRole.
    tokens = {
        role: services.create_token(actor=user, name="fuzz", scopes=all_scopes())[1]
        for role, user in users.items()
    }
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--checks",
            "all",
            # Replaced by schemathesis_hooks.positive_data_accepted.
            "--exclude-checks",
            "positive_data_acceptance",
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
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=tmp_path,
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
            "CLIENTELA_FUZZ_TOKENS": json.dumps(tokens),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        },
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-2000:]
    # Every role was used: a run that sent no request as some role would prove nothing of it.
    for role in tokens:
        sent = re.search(rf"^Requests sent as {re.escape(role)}: (\d+)$", result.stdout, re.M)
        assert sent and int(sent[1]) > 0, result.stdout[-5000:]
