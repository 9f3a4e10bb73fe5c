"""The curl examples of docs/api.md, run against a live server: the docs stay true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from clientela.api import services
from clientela.api.scopes import all_scopes
from clientela.customers import services as customers
from tests.conftest import ROOT
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db(transaction=True)


def curl_examples() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def test_the_docs_have_curl_examples():
    assert len(curl_examples()) >= 5


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_in_the_docs_works(live_server, make_user):
    admin = make_user(email="admin@firma.ro", administrator=True)
    contact = customers.create_contact(actor=admin, data={"full_name": "Ion Popescu"})
    shop = build_shop(admin)  # a price list, stock and an office chair at 450.00
    _token, raw = services.create_token(actor=admin, name="docs", scopes=all_scopes())
    env = {
        **os.environ,
        "BASE": live_server.url,
        "TOKEN": raw,
        "CONTACT_ID": str(contact.pk),
        "PRODUCT_ID": str(shop["chair"].pk),
    }
    for command in curl_examples():
        result = subprocess.run(
            [
                "bash",
                "-c",
                command.replace("curl -s ", "curl -s -o /dev/stderr -w '%{http_code}' ", 1),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout in {"200", "201"}, (command, result.stdout, result.stderr[:500])
