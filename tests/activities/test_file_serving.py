"""Attached files are served as the server finds them, never as the uploader's browser said:
images (not SVG), PDF, audio and plain text may show in the browser, everything else is a
download of bytes; every file answer is sandboxed and never sniffed (R26)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.activities.models import Attachment
from clientela.customers import services as customer_services

PAGE = b'<!doctype html><p>Report</p><script src="/files/1/?inline=1"></script>'
SCRIPT = b'fetch("/api/v1/contacts/").then(r => r.text()).then(t => alert(t))'
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)
PDF = b"%PDF-1.7\n" + bytes(64)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
MP3 = b"ID3\x04\x00" + bytes(64)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_ALLOWED_EXTENSIONS = [
        *settings.UPLOAD_ALLOWED_EXTENSIONS,
        # What a business might add: web pages, scripts, vector logos.
        "html",
        "htm",
        "js",
        "svg",
    ]


@pytest.fixture
def contact(user):
    return customer_services.quick_add_contact(actor=user, name="Ana Pop", email="ana@firma.ro")


def upload(client, contact, name: str, content: bytes, claimed: str) -> Attachment:
    response = client.post(
        f"/records/contact:{contact.pk}/files/",
        {"file": SimpleUploadedFile(name, content, content_type=claimed)},
    )
    assert response.status_code == 302
    return Attachment.objects.get(name=name)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_sandboxed(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = directives(response["Content-Security-Policy"])
    assert "sandbox" in policy
    assert policy["sandbox"] == []  # no allow-scripts, allow-same-origin or any other
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("report.txt", PAGE, "text/html"),
        ("helper.txt", SCRIPT, "text/javascript"),
        ("notes.csv", PAGE, "text/html"),
    ],
)
def test_text_the_uploader_calls_a_page_or_a_script_is_shown_as_text(
    user_client, contact, name, content, claimed
):
    attachment = upload(user_client, contact, name, content, claimed)
    response = user_client.get(f"/files/{attachment.pk}/?inline=1")
    assert response.status_code == 200
    expected = "text/csv" if name.endswith(".csv") else "text/plain"
    assert response["Content-Type"] == f"{expected}; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    assert_sandboxed(response)
    assert b"".join(response.streaming_content) == content
    # What the server found is what is kept: the browser's claim is gone.
    assert attachment.content_type_header == f"{expected}; charset=utf-8"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("page.html", PAGE, "text/html"),
        ("page.htm", PAGE, "text/html"),
        ("helper.js", SCRIPT, "text/javascript"),
        ("logo.svg", SVG, "image/svg+xml"),
        ("photo.png", PAGE, "image/png"),  # a page dressed as an image
        ("scan.pdf", PAGE, "application/pdf"),
        ("voice.mp3", SCRIPT, "audio/mpeg"),  # a script dressed as a recording
        ("offer.docx", b"PK\x03\x04" + bytes(64), "text/html"),
    ],
)
def test_anything_else_is_a_download_of_bytes_even_when_asked_inline(
    user_client, contact, name, content, claimed
):
    attachment = upload(user_client, contact, name, content, claimed)
    response = user_client.get(f"/files/{attachment.pk}/?inline=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert name in response["Content-Disposition"]
    assert_sandboxed(response)
    assert attachment.content_type_header == "application/octet-stream"
    assert not attachment.is_audio


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "served"),
    [
        ("logo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("contract.pdf", PDF, "application/pdf"),
        ("call.wav", WAV, "audio/wav"),
        ("call.mp3", MP3, "audio/mpeg"),
    ],
)
def test_images_pdfs_and_audio_keep_their_type_whatever_the_browser_said(
    user_client, contact, name, content, served
):
    attachment = upload(user_client, contact, name, content, "text/html")
    inline = user_client.get(f"/files/{attachment.pk}/?inline=1")
    assert inline["Content-Type"] == served
    assert inline["Content-Disposition"].startswith("inline")
    assert_sandboxed(inline)
    plain = user_client.get(f"/files/{attachment.pk}/")
    # A recording plays on the timeline; other files are saved unless asked inline.
    wanted = "inline" if served.startswith("audio/") else "attachment"
    assert plain["Content-Disposition"].startswith(wanted)
    assert_sandboxed(plain)
    assert attachment.is_audio == served.startswith("audio/")


@pytest.mark.django_db
def test_a_file_stored_with_the_uploaders_type_is_served_safely(user_client, user, contact):
    """Files attached before the server decided the type still carry the browser's claim
    in their row: the type is decided again on every download."""
    old = Attachment.objects.create(
        file=ContentFile(PAGE, name="old.html"),
        name="old.html",
        size=len(PAGE),
        content_type_header="text/html",
        content_type=ContentType.objects.get_for_model(contact),
        object_id=contact.pk,
        uploaded_by=user,
    )
    response = user_client.get(f"/files/{old.pk}/?inline=1")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert_sandboxed(response)
    fake_audio = Attachment.objects.create(
        file=ContentFile(PAGE, name="old.txt"),
        name="old.txt",
        size=len(PAGE),
        content_type_header="audio/mpeg",
        content_type=ContentType.objects.get_for_model(contact),
        object_id=contact.pk,
        uploaded_by=user,
    )
    response = user_client.get(f"/files/{fake_audio.pk}/")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    assert_sandboxed(response)


@pytest.mark.django_db
def test_the_apps_pages_load_scripts_only_from_the_static_folder(user_client, contact):
    """The file path is never a source of scripts or styles for the app's own pages."""
    policy = directives(user_client.get(contact.get_absolute_url())["Content-Security-Policy"])
    assert policy["script-src"] == [
        "http://testserver/static/",
        "http://testserver/jsi18n/",
        "http://testserver/admin/jsi18n/",
    ]
    assert policy["style-src"] == ["http://testserver/static/"]
