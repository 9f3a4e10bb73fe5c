"""Messenger conversations are part of the business's data: the full export carries them
(without the accounts' encrypted tokens), and a backup restored into an empty database
gives them back, searchable as before."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.core.management import call_command

from clientela.channels import inbox
from clientela.channels.models import ContactHandle, Conversation, Message, MessageMedia
from clientela.core.models import SearchEntry
from clientela.dataio.backups import backup
from tests.channels.test_inbox import telegram_update
from tests.channels.test_messenger_media import messenger_image
from tests.channels.test_messengers import make_account

QUESTION = "Do you deliver pallets to Turda?"
# How Messenger hands over a file: an address signed to fetch it until it expires.
SIGNED = "/cdn/431234567_image.jpg?_nc_oc=AdkX9&oh=00_AYC5sig&oe=6760A1B2"


def _telegram_conversation():
    bot = make_account(None, "telegram", name="Shop bot")
    (message,) = inbox.receive(bot, telegram_update(4242, 7, QUESTION, "Ioana"))
    return bot, message


def test_the_full_export_holds_messenger_messages_not_their_tokens(populated, settings):
    bot, message = _telegram_conversation()
    path = settings.DATA_DIR / "all.zip"
    call_command("export-all", "--output", str(path), stdout=io.StringIO())
    with zipfile.ZipFile(path) as archive:

        def rows(table: str) -> list[dict]:
            return [json.loads(line) for line in archive.read(f"tables/{table}.jsonl").splitlines()]

        messages, accounts = rows("channels.message"), rows("channels.messengeraccount")
        conversations = rows("channels.conversation")
    (kept,) = [m for m in messages if m["id"] == message.pk]
    assert kept["text"] == QUESTION and kept["channel"] == "telegram"
    assert kept["from_name"] == "Ioana" and kept["conversation_id"] == message.conversation_id
    assert [c["external_key"] for c in conversations if c["messenger_id"] == bot.pk] == ["4242"]
    (account,) = [a for a in accounts if a["id"] == bot.pk]
    assert account["name"] == "Shop bot"
    assert not {"access_token", "app_secret", "webhook_secret"} & set(account)


def test_a_restored_backup_gives_messenger_messages_back(populated, fresh_database, tmp_path):
    _bot, message = _telegram_conversation()
    record = backup.create_backup()
    result = backup.restore_backup(
        Path(record.path), alias=fresh_database, media_root=tmp_path / "restored" / "uploads"
    )
    assert result.comparison.ok
    restored = Message.objects.using(fresh_database).get(pk=message.pk)
    assert restored.text == QUESTION and restored.channel == "telegram"
    assert Conversation.objects.using(fresh_database).get(pk=message.conversation_id).messenger_id
    assert ContactHandle.objects.using(fresh_database).count() == ContactHandle.objects.count()
    # Its search entry came back with it.
    assert (
        SearchEntry.objects.using(fresh_database)
        .filter(object_id=message.pk, title="Ioana", text__contains="pallets")
        .exists()
    )


def _messenger_photo(fake_provider) -> MessageMedia:
    facebook = make_account(None, "messenger", name="Shop page")
    (message,) = inbox.receive(facebook, messenger_image(fake_provider, fake_provider.url + SIGNED))
    media = message.media.get()
    assert media.ref.endswith(SIGNED)
    return media


def test_the_full_export_leaves_out_the_signed_addresses_of_messenger_files(
    populated, settings, fake_provider
):
    media = _messenger_photo(fake_provider)
    path = settings.DATA_DIR / "all.zip"
    call_command("export-all", "--output", str(path), stdout=io.StringIO())
    with zipfile.ZipFile(path) as archive:
        text = archive.read("tables/channels.messagemedia.jsonl").decode()
        manifest = json.loads(archive.read("manifest.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist())
    (row,) = [json.loads(line) for line in text.splitlines() if json.loads(line)["id"] == media.pk]
    # What came (a photo, waiting) is there; the address that fetches it is not, anywhere.
    assert (row["kind"], row["status"], row["message_id"]) == ("photo", "waiting", media.message_id)
    assert "ref" not in row
    assert "ref" not in manifest["tables"]["channels.messagemedia"]["columns"]
    assert b"oh=00_AYC5sig" not in everything


def test_a_restored_backup_keeps_the_addresses_of_messenger_files(
    populated, fresh_database, tmp_path, fake_provider
):
    media = _messenger_photo(fake_provider)
    record = backup.create_backup()
    result = backup.restore_backup(
        Path(record.path), alias=fresh_database, media_root=tmp_path / "restored" / "uploads"
    )
    assert result.comparison.ok
    # Restored, the waiting photo can still be fetched with the address it came with.
    restored = MessageMedia.objects.using(fresh_database).get(pk=media.pk)
    assert restored.ref == media.ref and restored.status == "waiting"
