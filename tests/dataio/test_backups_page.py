"""The Backups page for administrators, its download and button, and the home page warning."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from clientela.dataio.backups import backup
from clientela.dataio.models import Backup

PAGE = "/settings/backups/"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(email="director@firma.ro", full_name="Dana Director", administrator=True)
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_people_who_are_not_administrators_cannot_see_or_take_backups(user_client, settings):
    archive = Path(settings.BACKUP_DIR) / "clientela-backup-20260101-000000Z.tar.gz"
    archive.write_bytes(b"secret")

    assert user_client.get(PAGE).status_code == 403
    assert user_client.post(PAGE + "run/").status_code == 403
    assert user_client.get(PAGE + archive.name + "/download/").status_code == 403
    assert list(Path(settings.BACKUP_DIR).iterdir()) == [archive]


@pytest.mark.django_db
def test_the_page_says_when_nothing_was_backed_up_yet(admin_client):
    page = admin_client.get(PAGE).content.decode()

    assert "No backup has been taken yet." in page
    assert "No archives yet" in page
    assert "No verified backup in the last 48 hours." in page
    assert 'aria-current="page">Backups' in page


@pytest.mark.django_db(transaction=True)
def test_back_up_now_writes_verifies_and_lists_the_archive(admin_client, settings):
    response = admin_client.post(PAGE + "run/", follow=True)

    record = Backup.objects.get()
    assert record.verified is True and record.created_by.email == "director@firma.ro"
    page = response.content.decode()
    assert f"Backup {record.file_name} written and verified: every table matches." in page
    assert record.file_name in page and "Verified" in page
    assert "No verified backup in the last 48 hours." not in page

    download = admin_client.get(PAGE + record.file_name + "/download/")
    assert download.status_code == 200 and download.streaming
    assert download["Content-Disposition"] == f'attachment; filename="{record.file_name}"'
    assert b"".join(download.streaming_content) == Path(record.path).read_bytes()


@pytest.mark.django_db
def test_only_archives_in_the_backups_folder_can_be_downloaded(admin_client, settings):
    for name in ("secret_key", "..%2Fsecret_key", "clientela-backup-20990101-000000Z.tar.gz"):
        assert admin_client.get(PAGE + name + "/download/").status_code == 404


@pytest.mark.django_db
def test_back_up_now_needs_a_post_with_the_csrf_token(client, make_user):
    from django.test import Client

    admin = make_user(email="director@firma.ro", administrator=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)

    assert strict.get(PAGE + "run/").status_code == 405
    assert strict.post(PAGE + "run/").status_code == 403
    assert not Backup.objects.exists()


@pytest.mark.django_db
def test_a_failed_backup_is_shown_with_its_reason(admin_client, monkeypatch):
    def full_disk(output, alias="default"):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "write_archive", full_disk)

    page = admin_client.post(PAGE + "run/", follow=True).content.decode()

    assert "The backup failed: [Errno 28] No space left on device" in page
    assert "Failed" in page


def recorded(hours_ago: float, verified: bool | None) -> Backup:
    return backup.save_record(
        Backup(
            created_at=timezone.now() - datetime.timedelta(hours=hours_ago),
            path="/nowhere/clientela-backup-x.tar.gz",
            size=10,
            verified=verified,
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours_ago", "verified", "warned"),
    [(None, None, True), (2, True, False), (47, True, False), (49, True, True), (2, False, True)],
)
def test_home_warns_administrators_without_a_verified_backup_in_48_hours(
    admin_client, hours_ago, verified, warned
):
    if hours_ago is not None:
        recorded(hours_ago, verified)

    page = admin_client.get("/").content.decode()

    assert ("No verified backup in the last 48 hours." in page) is warned
    assert (f'href="{PAGE}"' in page) is warned


@pytest.mark.django_db
def test_home_does_not_warn_people_who_cannot_act_on_it(user_client):
    assert "No verified backup" not in user_client.get("/").content.decode()


@pytest.mark.django_db
def test_the_settings_page_links_to_backups(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert f'href="{PAGE}"' in page
