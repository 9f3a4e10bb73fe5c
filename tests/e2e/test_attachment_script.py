"""A stored script through attachments, tried in a real browser: a sales representative
attaches a script and a web page that loads it; their manager opens the page's link, and
nothing of it runs with the manager's login (R26)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from clientela.activities.models import Activity, Attachment
from clientela.customers import services as customer_services
from clientela.users.services import create_user, role_named, team_named
from tests.e2e.conftest import DESKTOP, log_in

# Reads the manager's contacts through the API and writes them on a note: what a stolen
# session would do. The title and a global mark show it ran even if the API refused.
SCRIPT = """
window.__ran = true;
document.title = "SCRIPT RAN";
var csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1];
fetch("/api/v1/contacts/").then(function (r) { return r.text(); }).then(function (text) {
  return fetch("/api/v1/activities/", {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
    body: JSON.stringify({record: "contact:%(contact)d", kind: "note", body: "stolen " + text}),
  });
});
"""
PAGE = """<!doctype html>
<title>Quarterly report</title>
<p>Loading the report…</p>
<script src="/files/%(script)d/?inline=1"></script>
"""


@pytest.fixture
def team(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sales = team_named("Vânzări Cluj")
    rep = create_user(
        email="rep@firma.ro",
        full_name="Radu Rep",
        password="Corect-cal-baterie-9",
        role=role_named("sales-representative"),
        team=sales,
    )
    manager = create_user(
        email="sefa@firma.ro",
        full_name="Maria Manager",
        password="Corect-cal-baterie-9",
        role=role_named("manager"),
        team=sales,
    )
    contact = customer_services.quick_add_contact(
        actor=rep, name="Ioana Client", email="ioana@client.ro"
    )
    return rep, manager, contact


def attach(page, live_server, contact, name: str, mime: str, text: str) -> Attachment:
    """Attach a file through the contact page's Files card, the browser naming its type."""
    page.goto(live_server.url + contact.get_absolute_url())
    page.locator("#file-input").set_input_files(
        {"name": name, "mimeType": mime, "buffer": text.encode()}
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    return Attachment.objects.get(name=name)


@pytest.mark.parametrize(
    ("script_name", "page_name", "extra_extensions"),
    [
        # The default extensions: the claim travels in the upload, not the name.
        ("figures.txt", "report.txt", []),
        # A business that lets people attach web pages and scripts.
        ("figures.js", "report.html", ["html", "js"]),
    ],
)
def test_a_page_a_rep_attached_runs_no_script_for_their_manager(
    page, browser, live_server, team, settings, script_name, page_name, extra_extensions
):
    settings.UPLOAD_ALLOWED_EXTENSIONS = [*settings.UPLOAD_ALLOWED_EXTENSIONS, *extra_extensions]
    rep, manager, contact = team
    log_in(page, live_server, rep)
    script = attach(
        page, live_server, contact, script_name, "text/javascript", SCRIPT % {"contact": contact.pk}
    )
    report = attach(
        page, live_server, contact, page_name, "text/html", PAGE % {"script": script.pk}
    )

    # The manager, in a browser of their own, follows the link the rep sends them.
    context = browser.new_context(viewport=DESKTOP)
    victim = context.new_page()
    victim.set_default_timeout(15000)
    log_in(victim, live_server, manager)
    api_calls: list[str] = []

    def watch(request) -> None:
        if "/api/" in request.url:
            api_calls.append(request.url)

    victim.on("request", watch)
    link = f"{live_server.url}/files/{report.pk}/?inline=1"
    if page_name.endswith(".html"):
        # Not a kind a browser may show: it is saved, never opened on the CRM's origin.
        with victim.expect_download() as download:
            try:
                victim.goto(link)
            except PlaywrightError as error:  # the navigation became a download
                assert "Download" in str(error) or "ERR_ABORTED" in str(error)
        assert download.value.suggested_filename == page_name
    else:
        victim.goto(link)
        victim.wait_for_load_state("networkidle")
        assert api_calls == []
        assert victim.title() != "SCRIPT RAN"
        assert victim.evaluate("window.__ran === true") is False
        # Shown as the text it is, markup and all; so is the script, opened straight.
        expect(victim.locator("body")).to_contain_text('<script src="/files/')
        victim.goto(f"{live_server.url}/files/{script.pk}/?inline=1")
        expect(victim.locator("body")).to_contain_text("window.__ran = true;")
        victim.wait_for_load_state("networkidle")
    assert api_calls == []
    assert not Activity.objects.filter(body__startswith="stolen").exists()
    context.close()
