"""The README's first command, as a new user runs it: a URL and a login that work."""

from __future__ import annotations

import re
import socket
import subprocess
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, clientela_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def started_app(tmp_path_factory):
    """`scripts/run` in a fresh data folder; yields its URL, e-mail and password.

    Started once for this module's tests run by one process: a first start (migrations,
    collectstatic with compression) takes most of a minute, and neither test depends on
    what the other did."""
    port = free_port()
    process = subprocess.Popen(
        ["bash", "scripts/run", "--port", str(port)],
        cwd=ROOT,
        env=clientela_env(tmp_path_factory.mktemp("first-start") / "data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    url = login = None
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line)
            if match := re.search(r"running at (http://\S+)", line):
                url = match.group(1)
            if match := re.search(r"Log in as (\S+) with password (\S+)", line):
                login = match.groups()
            if url and login:
                break
        assert url and login, "".join(lines)
        yield url, *login
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_readme_run_command_prints_a_login_that_opens_the_home_page(started_app, page, screenshot):
    url, email, password = started_app

    page.goto(url)
    assert page.url.startswith(url + "login/")
    screenshot(page, "login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="Welcome, Administrator").wait_for()
    assert page.url == url
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Home").get_attribute("aria-current") == "page"
    # The stylesheet was served by the app itself, under its hashed name.
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "14px"
    screenshot(page, "home")

    # At desktop width the sidebar is always there and needs no menu button.
    expect(page.get_by_role("button", name="Open navigation")).to_be_hidden()
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.get_by_role("button", name="Open navigation").click()
    expect(sidebar).to_be_in_viewport()
    screenshot(page, "home-drawer")
    page.keyboard.press("Escape")
    expect(sidebar).not_to_be_in_viewport()


def test_health_answers_on_the_started_app(started_app, page):
    url, _email, _password = started_app
    response = page.request.get(url + "healthz")
    assert response.status == 200
    assert response.json()["status"] == "ok"
