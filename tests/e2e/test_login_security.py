"""Login security in a real browser: the main pages log no Content-Security-Policy
violation (htmx included), two-factor set-up and the locked login page look right."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.security.models import TwoFactorDevice
from clientela.users import services as user_services

PASSWORD = "Corect-cal-baterie-9"
EMAIL = "ana.popescu@firma.ro"
# Playwright's own channel into the page (not a page script, so the CSP does not apply):
# every violation the document reports is kept for the test to read.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI);
});
"""


@pytest.fixture
def ana(transactional_db):
    return user_services.create_user(email=EMAIL, full_name="Ana Popescu", password=PASSWORD)


class PolicyWatch:
    """Console messages and violation events about the Content-Security-Policy."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"{where}: {violations}"
        assert self.console == [], f"{where}: {self.console}"
        assert self.errors == [], f"{where}: {self.errors}"


def log_in(page, url, password=PASSWORD):
    page.goto(url + "/login/")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_main_pages_log_no_content_security_policy_violation(live_server, ana, page):
    contact = customer_services.quick_add_contact(
        actor=ana, name="Ioana Dumitrescu", phone="0722 123 456", email="ioana@fabrica.ro"
    )
    watch = PolicyWatch(page)

    page.goto(live_server.url + "/login/")
    expect(page.get_by_role("heading", name="Log in to Clientela")).to_be_visible()
    watch.assert_clean("login")

    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    page.wait_for_load_state("load")
    watch.assert_clean("home")

    page.goto(live_server.url + "/contacts/")
    expect(page.get_by_role("link", name="Ioana Dumitrescu")).to_be_visible()
    watch.assert_clean("contacts list")

    page.goto(live_server.url + f"/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", name="Ioana Dumitrescu", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    watch.assert_clean("contact detail")

    # Quick-add: the dialog's form arrives through htmx.
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name="Add a contact")
    # Focused once htmx has swapped the form in and bound its triggers.
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_label("Name").fill("Ioana D.")
    dialog.get_by_label("Phone").fill("0722 123 456")
    expect(dialog.locator(".suspects")).to_contain_text("Ioana Dumitrescu")
    watch.assert_clean("quick-add dialog")
    page.keyboard.press("Escape")

    # Ctrl+K: results swapped in by htmx while typing.
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Search")
    palette.get_by_role("combobox").fill("Ioana")
    expect(page.locator("#palette-results")).to_contain_text("Ioana Dumitrescu")
    watch.assert_clean("Ctrl+K palette")

    page.goto(live_server.url + "/account/two-factor/")
    page.get_by_role("button", name="Set up two-factor login").click()
    expect(page.locator("svg.qr")).to_be_visible()
    watch.assert_clean("two-factor set-up")


def test_two_factor_set_up_and_login_with_a_code(live_server, ana, page, screenshot):
    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    page.get_by_label("Your account").click()
    page.get_by_role("menuitem", name="Two-factor login").click()
    expect(page.get_by_role("heading", name="Two-factor login is off")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor login").click()

    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    screenshot(page, "two-factor-setup")

    secret = TwoFactorDevice.objects.get(user=ana).secret
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, "two-factor-recovery-codes")

    page.get_by_label("Your account").click()
    page.get_by_role("menuitem", name="Log out").click()
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Type your login code")).to_be_visible()
    screenshot(page, "login-code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()


def test_the_locked_login_page_says_when_to_try_again(live_server, ana, page, screenshot):
    for _ in range(4):
        log_in(page, live_server.url, password="not-the-password")
    expect(
        page.get_by_text("1 more failed attempt pauses logging in for 15 minutes.")
    ).to_be_visible()
    screenshot(page, "login-last-attempt")
    log_in(page, live_server.url, password="not-the-password")
    expect(
        page.get_by_text("Logging in is paused for this account on this computer.")
    ).to_be_visible()
    expect(page.get_by_text("Try again at")).to_be_visible()
    screenshot(page, "login-locked")


def test_administrator_pages_log_no_content_security_policy_violation(live_server, ana, page):
    user_services.create_user(
        email="boss@firma.ro", full_name="Dana Director", password=PASSWORD, administrator=True
    )
    watch = PolicyWatch(page)
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill("boss@firma.ro")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
    for path in (
        "/admin/",
        "/admin/users/user/",
        f"/admin/users/user/{ana.pk}/change/",
        "/admin/axes/accessfailurelog/",
        "/settings/backups/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        watch.assert_clean(path)
