"""The Backups page in a browser: an administrator backs up from the UI and sees it verified."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientela.users import services


@pytest.fixture
def administrator(transactional_db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.BACKUP_DIR.mkdir()
    settings.MEDIA_ROOT.mkdir()
    return services.create_user(
        email="director@firma.ro",
        full_name="Dana Director",
        password="Corect-cal-baterie-9",
        administrator=True,
    )


def test_an_administrator_backs_up_from_the_backups_page(
    live_server, administrator, page, screenshot
):
    # The drawer's slide-in transition would otherwise be caught mid-way in the phone shots.
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill("director@firma.ro")
    page.get_by_label("Password").fill("Corect-cal-baterie-9")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("No verified backup in the last 48 hours.")).to_be_visible()
    page.get_by_role("link", name="Open Backups to take one now").click()

    expect(page.get_by_role("heading", name="Backups", exact=True)).to_be_visible()
    expect(page.get_by_text("No archives yet")).to_be_visible()
    screenshot(page, "backups-empty")

    page.get_by_role("button", name="Back up now").click()
    expect(page.get_by_text("written and verified: every table matches.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Verified")).to_be_visible()
    expect(table.get_by_role("link", name="Download")).to_have_count(1)
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Settings").get_attribute("aria-current") == "page"
    screenshot(page, "backups")

    with page.expect_download() as download:
        table.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.startswith("clientela-backup-")

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_text("No verified backup in the last 48 hours.")).to_have_count(0)
