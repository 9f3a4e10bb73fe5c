"""Call logs from a phone system: matched by number to a contact, logged once however often
the file is imported, recordings attached, bad rows reported by line."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientela.activities.models import Activity, ActivityKind, CallDirection
from clientela.customers import services as customer_services
from clientela.dataio.importing.calls import import_calls
from tests.record_pages import shown

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
LOG = (
    "Call ID;Date/Time;Direction;From;To;Duration;Recording;Agent\n"
    "a-1;2026-11-30 14:05:00;out;201;0722 123 456;02:15;rec-a1.wav;seller@firma.ro\n"
    "a-2;2026-11-30 15:00:00;in;+34 612 345 678;201;40;;\n"
    "a-3;yesterday;in;0722123456;201;40;;\n"
)
PBX = (  # a generic Asterisk-style export: no call id, so the row itself is the key
    "calldate,src,dst,billsec\n2026-12-01 09:30:00,0722123456,200,61\n"
)


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@firma.ro", full_name="Admin", administrator=True)


@pytest.fixture
def contact(admin):
    return customer_services.quick_add_contact(actor=admin, name="Ion Pop", phone="0722123456")


def _csv(text: str, name: str = "calls.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_calls_are_matched_logged_once_and_bad_rows_reported(admin, contact, make_user):
    seller = make_user(email="seller@firma.ro", full_name="Sel Ler")
    recording = SimpleUploadedFile("rec-a1.wav", WAV, content_type="audio/wav")
    result = import_calls(actor=admin, source=_csv(LOG), recordings=[recording])
    assert result.logged == 1
    assert result.recordings == 1
    assert [(u.line, u.number) for u in result.unmatched] == [(3, "+34612345678")]
    assert [line for line, _problem in result.problems] == [4]
    assert "yesterday" in result.problems[0][1]
    call = Activity.objects.get(kind=ActivityKind.CALL)
    assert call.direction == CallDirection.OUTBOUND
    assert call.duration_seconds == 135
    assert call.author == seller
    assert call.links.filter(object_id=contact.pk).exists()
    assert call.attachments.get().is_audio

    again = import_calls(actor=admin, source=_csv(LOG))
    assert (again.logged, again.already) == (0, 1)
    assert Activity.objects.filter(kind=ActivityKind.CALL).count() == 1


@pytest.mark.django_db
def test_a_generic_pbx_export_without_ids_is_imported_once(admin, contact):
    assert import_calls(actor=admin, source=_csv(PBX)).logged == 1
    assert import_calls(actor=admin, source=_csv(PBX)).already == 1
    call = Activity.objects.get(kind=ActivityKind.CALL)
    assert (call.duration_seconds, call.author) == (61, admin)


@pytest.mark.django_db
def test_a_file_without_the_needed_columns_is_a_message(client, admin):
    client.force_login(admin)
    response = client.post(reverse("imports:calls"), {"file": _csv("name,email\nA,a@b.ro\n")})
    assert response.status_code == 400
    assert "date and time" in response.content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_result_and_the_timeline_plays_the_recording(client, admin, contact):
    client.force_login(admin)
    recording = SimpleUploadedFile("rec-a1.wav", WAV, content_type="audio/wav")
    response = client.post(reverse("imports:calls"), {"file": _csv(LOG), "recordings": [recording]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 call logged" in page and "unmatched-calls" in page
    timeline = shown(client, contact.get_absolute_url())
    assert "<audio" in timeline


@pytest.mark.django_db
def test_calls_with_a_contact_the_importer_may_not_see_are_unmatched(admin, contact, make_user):
    from clientela.users.services import role_named, team_named

    role = role_named("sales-representative")  # sees its team's contacts; here may import
    role.permissions["capabilities"] = ["log_activity", "import"]
    role.save()
    outsider = make_user(email="rep@firma-b.ro", role=role, team=team_named("Other team"))
    result = import_calls(actor=outsider, source=_csv(PBX))
    assert result.logged == 0
    assert [u.number for u in result.unmatched] == ["+40722123456"]


@pytest.mark.django_db
def test_the_command_line_imports_a_log_with_its_recordings(admin, contact, tmp_path):
    import io

    from django.core.management import call_command

    log = tmp_path / "calls.csv"
    log.write_text(LOG, encoding="utf-8")
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "rec-a1.wav").write_bytes(WAV)
    out = io.StringIO()
    call_command("import", str(log), "--type", "calls", "--recordings", str(folder), stdout=out)
    assert "1 calls logged (1 with a recording)" in out.getvalue()
    assert "row 4:" in out.getvalue()
    assert Activity.objects.get(kind=ActivityKind.CALL).attachments.count() == 1


@pytest.mark.django_db
def test_a_command_line_import_leaves_a_trashed_contacts_number_unmatched(admin, contact):
    from clientela.core import record_services

    record_services.trash_record(actor=admin, record=contact)
    result = import_calls(actor=None, source=_csv(PBX))  # `clientela import`, no user
    assert result.logged == 0
    assert [u.number for u in result.unmatched] == ["+40722123456"]
    assert not Activity.objects.filter(kind=ActivityKind.CALL).exists()
