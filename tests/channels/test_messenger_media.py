"""Photos, documents and voice messages received on a messenger: fetched through the
provider's media API (the local fake provider) by a job, kept as files of the message's
timeline entry within the upload limits, and shown on the timeline, in the conversation
and in the unified inbox. Recorded payloads of each provider."""

from __future__ import annotations

import html
import json

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.activities.models import Attachment
from clientela.channels import inbox
from clientela.channels.models import ContactHandle, Conversation, MessageMedia
from clientela.customers import services as customer_services
from tests import record_pages
from tests.channels.test_messengers import make_account
from tests.messenger_fake import payload

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
OGG = b"OggS\x00\x02" + bytes(600)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LARGEST_PHOTO = "AgACAgQAAxkBAAIBS2Zlarge1280x960"


def fetch_jobs() -> list[int]:
    jobs = DBTaskResult.objects.filter(task_path="clientela.channels.tasks.fetch_media")
    return [job.args_kwargs["args"][0] for job in jobs.order_by("enqueued_at")]


def ioana(user, channel="telegram", handle="571230981"):
    contact = customer_services.create_contact(actor=user, data={"full_name": "Ioana Marin"})
    ContactHandle.objects.create(channel=channel, handle=handle, contact=contact)
    return contact


def test_a_telegram_photo_is_kept_on_the_timeline_and_shown(client, user, fake_provider):
    telegram = make_account(user, "telegram")
    contact = ioana(user)
    fake_provider.files[LARGEST_PHOTO] = ("photos/file_12.jpg", "image/jpeg", JPEG)
    (message,) = inbox.receive(telegram, json.loads(payload("telegram_photo")))
    assert message.text == "Cutia a venit strivită"  # the caption
    (media,) = message.media.all()
    assert (media.kind, media.status, media.ref) == ("photo", "waiting", LARGEST_PHOTO)
    assert fetch_jobs() == [media.pk]

    inbox.keep_media(media.pk)  # what the worker runs
    media.refresh_from_db()
    assert media.status == "kept"
    file = media.attachment
    assert file.activity_id == message.activity_id and file.object_id == contact.pk
    assert file.name.startswith("photo-") and file.name.endswith(".jpg")
    assert file.content_type_header == "image/jpeg" and file.size == len(JPEG)
    get_file, download = fake_provider.received
    assert get_file.path == f"/bot123456:ABC-token/getFile?file_id={LARGEST_PHOTO}"
    assert download.path == "/file/bot123456:ABC-token/photos/file_12.jpg"
    inbox.keep_media(media.pk)  # the job run twice: fetched once
    assert len(fake_provider.received) == 2

    client.force_login(user)
    shown = f"/files/{file.pk}/?inline=1"
    timeline = html.unescape(record_pages.shown(client, contact.get_absolute_url()))
    assert f'<img src="{shown}" alt="{file.name}"' in timeline
    thread = client.get(f"/mail/conversations/{message.conversation_id}/").content.decode()
    assert f'<img src="{shown}"' in thread
    assert f'<img src="{shown}"' in client.get("/inbox/").content.decode()
    answer = client.get(shown)
    assert answer["Content-Type"] == "image/jpeg"
    assert b"".join(answer.streaming_content) == JPEG


def test_a_voice_message_plays_on_the_timeline(client, user, fake_provider):
    telegram = make_account(user, "telegram")
    contact = ioana(user)
    fake_provider.files["AwACAgQAAxkBAAIBTGZvoice4s"] = ("voice/file_13.oga", "audio/ogg", OGG)
    (message,) = inbox.receive(telegram, json.loads(payload("telegram_voice")))
    assert message.text == ""
    inbox.keep_media(fetch_jobs()[0])
    file = Attachment.objects.get()
    assert file.name.endswith(".ogg") and file.content_type_header == "audio/ogg"
    client.force_login(user)
    page = record_pages.shown(
        client, contact.get_absolute_url()
    )  # the timeline loads after first paint
    assert f'<audio class="timeline__audio" controls preload="none" src="/files/{file.pk}/"' in page


def test_an_unknown_senders_document_waits_for_the_contact(client, user, fake_provider):
    whatsapp = make_account(user, "whatsapp")
    fake_provider.files["1003383421387256"] = ("", "application/pdf", PDF)
    (message,) = inbox.receive(whatsapp, json.loads(payload("whatsapp_document")))
    assert message.text == "The invoice you asked for"
    (media,) = message.media.all()
    assert (media.kind, media.name) == ("document", "invoice-2026-118.pdf")
    assert fetch_jobs() == [] and inbox.keep_media(media.pk).status == "waiting"
    assert fake_provider.received == []
    client.force_login(user)
    waiting = "Document: kept once the sender is a contact"
    assert waiting in client.get(f"/mail/conversations/{message.conversation_id}/").content.decode()
    assert waiting in client.get("/inbox/").content.decode()

    inbox.create_contact_from_conversation(actor=user, conversation=Conversation.objects.get())
    assert fetch_jobs() == [media.pk]
    inbox.keep_media(media.pk)
    media.refresh_from_db()
    assert media.status == "kept" and media.attachment.name == "invoice-2026-118.pdf"
    lookup, download = fake_provider.received
    assert lookup.path == "/v21.0/1003383421387256"
    assert download.path == "/whatsapp/media/1003383421387256"
    assert lookup.headers["Authorization"] == download.headers["Authorization"]
    page = client.get("/inbox/").content.decode()
    assert f'href="/files/{media.attachment.pk}/"' in page and waiting not in page


def messenger_image(fake_provider, url: str | None = None) -> dict:
    update = json.loads(payload("messenger_image"))
    attachment = update["entry"][0]["messaging"][0]["message"]["attachments"][0]
    attachment["payload"]["url"] = url or f"{fake_provider.url}/cdn/431234567_image.jpg"
    return update


def test_files_not_to_keep_are_marked_with_why(user, fake_provider, settings):
    facebook = make_account(user, "messenger")
    ioana(user, "messenger", "7012345678901234")
    # Not the image it says it is.
    fake_provider.files["/cdn/431234567_image.jpg"] = ("", "image/jpeg", b"<script>x</script>")
    (message,) = inbox.receive(facebook, messenger_image(fake_provider))
    media = inbox.keep_media(message.media.get().pk)
    assert (media.status, media.problem) == ("refused", "not the photo it was said to be")
    # An address that is not the provider's is not fetched at all.
    update = messenger_image(fake_provider, "http://10.0.0.1/internal.jpg")
    update["entry"][0]["messaging"][0]["message"]["mid"] = "m_other"
    (other,) = inbox.receive(facebook, update)
    fetched = len(fake_provider.received)
    media = inbox.keep_media(other.media.get().pk)
    assert (media.status, media.problem) == ("refused", "not an address of the provider")
    assert len(fake_provider.received) == fetched
    assert not Attachment.objects.exists()


def test_too_large_or_of_a_type_not_taken(user, fake_provider, settings):
    telegram = make_account(user, "telegram")
    ioana(user)
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    # The photo's size in the payload is under the limit; the file is not.
    fake_provider.files[LARGEST_PHOTO] = ("photos/file_12.jpg", "image/jpeg", JPEG * 1100)
    (message,) = inbox.receive(telegram, json.loads(payload("telegram_photo")))
    media = inbox.keep_media(message.media.get().pk)
    assert (media.status, media.problem) == ("refused", "larger than 1 MB")
    update = json.loads(payload("telegram_voice"))
    update["message"] |= {"message_id": 1060, "voice": None}
    update["message"]["document"] = {
        "file_name": "setup.exe",
        "mime_type": "application/x-msdownload",
        "file_id": "BQACAgQexe",
        "file_size": 2048,
    }
    fake_provider.files["BQACAgQexe"] = (
        "documents/file_14.exe",
        "application/x-msdownload",
        b"MZ" * 1024,
    )
    (message,) = inbox.receive(telegram, update)
    media = inbox.keep_media(message.media.get().pk)
    assert (media.status, media.problem) == ("refused", "Files of type .exe can't be attached.")
    assert not Attachment.objects.exists()


def test_a_provider_that_does_not_answer_is_asked_again_then_given_up(
    user, fake_provider, settings
):
    settings.MESSENGER_MAX_ATTEMPTS = 2
    telegram = make_account(user, "telegram")
    ioana(user)
    fake_provider.files[LARGEST_PHOTO] = ("photos/file_12.jpg", "image/jpeg", JPEG)
    (message,) = inbox.receive(telegram, json.loads(payload("telegram_photo")))
    fake_provider.failures = 5
    media = inbox.keep_media(message.media.get().pk)
    assert (media.status, media.attempts) == ("waiting", 1)
    retry = DBTaskResult.objects.filter(task_path="clientela.channels.tasks.fetch_media")
    assert retry.exclude(run_after__isnull=True).exists()  # scheduled with a wait
    media = inbox.keep_media(media.pk)
    assert (media.status, media.attempts) == ("failed", 2)
    assert MessageMedia.objects.get().attachment is None
