"""Composer, tasks and files through the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.activities import services
from clientela.activities.models import Activity, Attachment, Task
from clientela.core import record_services
from clientela.customers import services as customer_services


@pytest.fixture
def ana(user):
    return customer_services.quick_add_contact(actor=user, name="Ana Popescu", email="ana@firma.ro")


@pytest.mark.django_db
def test_composer_logs_a_meeting_and_refuses_one_that_ends_before_it_starts(user_client, ana):
    url = f"/records/contact:{ana.pk}/log/"
    ok = user_client.post(
        url,
        {
            "kind": "meeting",
            "subject": "Demo",
            "occurred_at": "2026-11-20T10:00",
            "ends_at": "2026-11-20T11:00",
            "place": "Cluj",
        },
    )
    assert ok.status_code == 302
    meeting = Activity.objects.get()
    assert (meeting.kind, meeting.subject, meeting.place) == ("meeting", "Demo", "Cluj")
    bad = user_client.post(
        url,
        {"kind": "meeting", "occurred_at": "2026-11-20T10:00", "ends_at": "2026-11-20T09:00"},
        follow=True,
    )
    assert "A meeting can&#x27;t end before it starts." in bad.content.decode()
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_note_is_refused(user_client, ana):
    response = user_client.post(
        f"/records/contact:{ana.pk}/log/", {"kind": "note", "body": " "}, follow=True
    )
    assert "Write the note first." in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_tasks_are_ticked_off_by_their_assignee_only(user_client, user, make_user, ana):
    mine = services.create_task(actor=user, title="Send offer", assignee=user, record=ana)
    theirs = services.create_task(
        actor=user, title="Visit", assignee=make_user(email="b@x.ro"), record=ana
    )
    assert user_client.post(f"/tasks/{mine.pk}/done/").status_code == 302
    assert Task.objects.get(pk=mine.pk).done_at is not None
    assert user_client.post(f"/tasks/{theirs.pk}/done/").status_code == 404
    assert Task.objects.get(pk=theirs.pk).done_at is None
    page = user_client.get("/my-day/").content.decode()
    assert "Send offer" not in page


@pytest.mark.django_db
def test_files_download_only_while_their_record_is_visible(
    user_client, user, ana, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    response = user_client.post(
        f"/records/contact:{ana.pk}/files/",
        {
            "file": SimpleUploadedFile(
                "offer.pdf", b"%PDF-1.4 offer", content_type="application/pdf"
            )
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = user_client.get(f"/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 offer"
    assert 'filename="offer.pdf"' in download["Content-Disposition"]
    record_services.move_to_trash(actor=user, records=[ana])
    assert user_client.get(f"/files/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_forbidden_file_type_is_refused_in_words(user_client, ana, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    response = user_client.post(
        f"/records/contact:{ana.pk}/files/",
        {"file": SimpleUploadedFile("run.exe", b"MZ")},
        follow=True,
    )
    assert "Files of type .exe can&#x27;t be attached." in response.content.decode()
