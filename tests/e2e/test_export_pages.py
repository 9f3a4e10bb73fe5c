"""Export in a browser: the list's Export menu downloads the filtered list, and an
administrator exports everything from Settings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clientela.customers import services as customer_services
from clientela.users import services as user_services

PASSWORD = "Corect-cal-baterie-9"


@pytest.fixture
def administrator(transactional_db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "uploads"
    admin = user_services.create_user(
        email="director@firma.ro",
        full_name="Dana Director",
        password=PASSWORD,
        administrator=True,
    )
    for name in ("Ioana Stan", "=cmd|' /C calc'!A0"):
        customer_services.create_contact(actor=admin, data={"full_name": name, "tags": ["vip"]})
    return admin


def test_export_a_list_and_everything(live_server, administrator, page, screenshot):
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail").fill(administrator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/contacts/?tag=vip")
    page.get_by_text("Export", exact=True).click()
    expect(page.get_by_role("menuitem", name="CSV")).to_be_visible()
    screenshot(page, "export-menu")
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Ioana Stan" in text and "'=cmd" in text

    page.goto(live_server.url + "/settings/export/")
    expect(page.get_by_role("heading", name="Export everything")).to_be_visible()
    page.get_by_role("button", name="Export now").click()
    expect(page.get_by_text("ready to download")).to_be_visible()
    screenshot(page, "export-everything")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download clientela-export-").first.click()
    assert "manifest.json" in zipfile.ZipFile(download.value.path()).namelist()
