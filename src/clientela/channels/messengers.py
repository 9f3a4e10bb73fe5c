"""The messenger adapters: Telegram's Bot API, the WhatsApp Cloud API and Facebook
Messenger (Meta's Send API). Each checks a webhook call is the provider's, reads the
messages out of its payload, and sends a text through the provider's API.

HTTP goes through `http_post`, which tests point at a local fake server (the API base
addresses are settings) or replace with a stub that records the requests."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from clientela.channels import secrets
from clientela.channels.models import Channel, MessengerAccount

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
META_SIGNATURE_HEADER = "X-Hub-Signature-256"


class SendError(Exception):
    """The provider did not take the message (or could not be reached)."""


@dataclass(frozen=True)
class Inbound:
    """One message received: the provider's id for it, the chat it is in (where replies
    go), who sent it (a name, a phone when the channel gives one) and what it says."""

    external_id: str
    chat: str
    name: str
    text: str
    sent_at: datetime.datetime
    phone: str = ""
    username: str = ""
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Media:
    """A file that came with a message, as the provider names it: `ref` is Telegram's file
    id, WhatsApp's media id or Messenger's address of the file."""

    kind: str  # a MediaKind
    ref: str
    name: str = ""
    content_type: str = ""
    size: int | None = None


class MediaRefused(Exception):
    """The provider's file is not one to keep (too large, not what it said it was)."""


@dataclass(frozen=True)
class Fetched:
    name: str
    content_type: str
    data: bytes


def _post_json(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the provider's https address
        url, data=data, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, _json(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SendError(str(getattr(error, "reason", error))[:300]) from error


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# Replaced in tests that do not run a fake server.
http_post: Callable[[str, dict, dict[str, str]], tuple[int, dict]] = _post_json


def _at(seconds: Any) -> datetime.datetime:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return timezone.now()
    if value > 10**11:  # Messenger counts milliseconds
        value /= 1000
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


# Verifying ----------------------------------------------------------------------------


def verify(account: MessengerAccount, headers: Any, body: bytes) -> bool:
    """Whether a webhook call comes from the provider: Telegram sends back the secret
    token given when the webhook was set; Meta signs the body with the app secret."""
    if account.kind == Channel.TELEGRAM:
        expected = secrets.decrypt(account.webhook_secret)
        given = headers.get(TELEGRAM_SECRET_HEADER, "")
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
    app_secret = secrets.decrypt(account.app_secret)
    given = headers.get(META_SIGNATURE_HEADER, "")
    if not app_secret or not given.startswith("sha256="):
        return False
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.removeprefix("sha256=").encode(), digest.encode())


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_challenge(account: MessengerAccount, params: Any) -> str | None:
    """Meta's subscription check (GET with hub.mode, hub.verify_token, hub.challenge): the
    challenge to answer with when the token is ours, else None."""
    if account.kind == Channel.TELEGRAM:
        return None
    expected = secrets.decrypt(account.webhook_secret)
    if params.get("hub.mode") != "subscribe" or not expected:
        return None
    if not hmac.compare_digest(params.get("hub.verify_token", "").encode(), expected.encode()):
        return None
    return params.get("hub.challenge", "")


# Reading ------------------------------------------------------------------------------


def parse(account: MessengerAccount, payload: Any) -> list[Inbound]:
    """The text messages of a webhook payload (other updates, echoes and statuses are
    left out); [] for a payload of another shape."""
    if not isinstance(payload, dict):
        return []
    try:
        if account.kind == Channel.TELEGRAM:
            return _telegram(payload)
        if account.kind == Channel.WHATSAPP:
            return _whatsapp(payload)
        return _messenger(payload)
    except (AttributeError, KeyError, TypeError):
        return []


def _telegram(update: dict) -> list[Inbound]:
    message = update.get("message") or update.get("edited_message")
    if not isinstance(message, dict) or "chat" not in message:
        return []
    chat, sender = message["chat"], message.get("from") or {}
    name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")]))
    shared = message.get("contact") or {}
    text = message.get("text") or message.get("caption") or ""
    if not text and shared:
        text = shared.get("phone_number", "")
    media = _telegram_media(message)
    if not text and not media:
        return []
    return [
        Inbound(
            # Message ids count per chat: the chat makes them unique.
            external_id=f"{chat['id']}:{message['message_id']}",
            chat=str(chat["id"]),
            name=name or chat.get("title") or sender.get("username", ""),
            text=text,
            sent_at=_at(message.get("date")),
            phone=shared.get("phone_number", "")
            if shared.get("user_id") == sender.get("id")
            else "",
            username=sender.get("username", ""),
            media=media,
        )
    ]


def _telegram_media(message: dict) -> tuple[Media, ...]:
    """The photo (its largest size), document, voice message, audio or video."""
    photos = message.get("photo") or []
    if photos:
        largest = max(photos, key=lambda p: (p.get("file_size") or 0, p.get("width") or 0))
        return (Media("photo", largest["file_id"], size=largest.get("file_size")),)
    for kind in ("document", "voice", "audio", "video"):
        item = message.get(kind)
        if isinstance(item, dict) and item.get("file_id"):
            return (
                Media(
                    kind,
                    item["file_id"],
                    name=item.get("file_name", ""),
                    content_type=item.get("mime_type", ""),
                    size=item.get("file_size"),
                ),
            )
    return ()


def _whatsapp(payload: dict) -> list[Inbound]:
    found = []
    for entry in payload.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            names = {
                c.get("wa_id"): (c.get("profile") or {}).get("name", "")
                for c in value.get("contacts", [])
            }
            for message in value.get("messages", []):
                text = (message.get("text") or {}).get("body", "")
                media = _whatsapp_media(message)
                if media:
                    text = text or message[message["type"]].get("caption", "")
                if not text and not media:
                    continue
                sender = message["from"]
                found.append(
                    Inbound(
                        external_id=message["id"],
                        chat=sender,
                        name=names.get(sender, ""),
                        text=text,
                        sent_at=_at(message.get("timestamp")),
                        phone=f"+{sender.lstrip('+')}",
                        media=media,
                    )
                )
    return found


_WHATSAPP_KINDS = {"image": "photo", "document": "document", "audio": "audio", "video": "video"}


def _whatsapp_media(message: dict) -> tuple[Media, ...]:
    kind = _WHATSAPP_KINDS.get(message.get("type", ""))
    item = message.get(message.get("type", "")) if kind else None
    if kind is None or not isinstance(item, dict) or not item.get("id"):
        return ()
    if kind == "audio" and item.get("voice"):
        kind = "voice"
    return (
        Media(
            kind,
            item["id"],
            name=item.get("filename", ""),
            content_type=item.get("mime_type", ""),
        ),
    )


_MESSENGER_KINDS = {"image": "photo", "file": "document", "audio": "audio", "video": "video"}


def _messenger(payload: dict) -> list[Inbound]:
    found = []
    for entry in payload.get("entry", []):
        for event in entry.get("messaging", []):
            message = event.get("message") or {}
            media = tuple(
                Media(_MESSENGER_KINDS[item["type"]], item["payload"]["url"])
                for item in message.get("attachments") or []
                if item.get("type") in _MESSENGER_KINDS and (item.get("payload") or {}).get("url")
            )
            if message.get("is_echo") or not (message.get("text") or media):
                continue
            found.append(
                Inbound(
                    external_id=message["mid"],
                    chat=str(event["sender"]["id"]),
                    name="",
                    text=message.get("text", ""),
                    sent_at=_at(event.get("timestamp")),
                    media=media,
                )
            )
    return found


# Sending ------------------------------------------------------------------------------


def send(account: MessengerAccount, chat: str, text: str) -> str:
    """Send `text` to the chat; the provider's id of the message sent. SendError when it
    was not taken."""
    token = secrets.decrypt(account.access_token)
    if account.kind == Channel.TELEGRAM:
        url = f"{settings.TELEGRAM_API_URL}/bot{token}/sendMessage"
        status, answer = http_post(url, {"chat_id": chat, "text": text}, {})
        if status == 200 and answer.get("ok"):
            result = answer.get("result") or {}
            return f"{result.get('chat', {}).get('id', chat)}:{result.get('message_id', '')}"
        raise SendError(str(answer.get("description") or status))
    auth = {"Authorization": f"Bearer {token}"}
    if account.kind == Channel.WHATSAPP:
        url = f"{settings.META_GRAPH_URL}/{account.sender_id}/messages"
        body: dict = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": chat,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
        status, answer = http_post(url, body, auth)
        ids = [m.get("id") for m in answer.get("messages", []) if isinstance(m, dict)]
        if status == 200 and ids and ids[0]:
            return str(ids[0])
    else:
        url = f"{settings.META_GRAPH_URL}/{account.sender_id}/messages"
        body = {"recipient": {"id": chat}, "messaging_type": "RESPONSE", "message": {"text": text}}
        status, answer = http_post(url, body, auth)
        if status == 200 and answer.get("message_id"):
            return str(answer["message_id"])
    raise SendError(str((answer.get("error") or {}).get("message") or status))


# Fetching media -----------------------------------------------------------------------


def _get(url: str, headers: dict[str, str], limit: int) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET; the body cut at `limit` + 1 bytes, so that a
    file larger than the limit is known to be without reading all of it."""
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.headers.get_content_type(), answer.read(limit + 1)
    except urllib.error.HTTPError as error:
        return error.code, "", error.read(4096)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SendError(str(getattr(error, "reason", error))[:300]) from error


# Replaced in tests that do not run a fake server.
http_get: Callable[[str, dict[str, str], int], tuple[int, str, bytes]] = _get

# The extension a file is named with when the provider gives no name.
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "m4a",
    "video/mp4": "mp4",
    "application/pdf": "pdf",
}


def fetch_media(account: MessengerAccount, media: Media, limit: int) -> Fetched:
    """The file through the provider's media API: Telegram's getFile then its file
    address, WhatsApp's media id lookup then its (authorised) address, Messenger's address
    as given. MediaRefused for a file over `limit` bytes, SendError when the provider
    cannot be reached or does not answer."""
    if media.size is not None and media.size > limit:
        raise MediaRefused(_too_large(limit))
    token = secrets.decrypt(account.access_token)
    headers: dict[str, str] = {}
    path = ""
    declared = media.content_type
    if account.kind == Channel.TELEGRAM:
        status, _type, body = http_get(
            f"{settings.TELEGRAM_API_URL}/bot{token}/getFile?"
            + urllib.parse.urlencode({"file_id": media.ref}),
            {},
            64 * 1024,
        )
        result = _json(body).get("result") or {}
        if status != 200 or not result.get("file_path"):
            raise SendError(str(_json(body).get("description") or status))
        if (result.get("file_size") or 0) > limit:
            raise MediaRefused(_too_large(limit))
        path = result["file_path"]
        url = f"{settings.TELEGRAM_API_URL}/file/bot{token}/{path}"
    elif account.kind == Channel.WHATSAPP:
        headers = {"Authorization": f"Bearer {token}"}
        status, _type, body = http_get(
            f"{settings.META_GRAPH_URL}/{urllib.parse.quote(media.ref)}", headers, 64 * 1024
        )
        found = _json(body)
        if status != 200 or not found.get("url"):
            raise SendError(str((found.get("error") or {}).get("message") or status))
        if (found.get("file_size") or 0) > limit:
            raise MediaRefused(_too_large(limit))
        url, declared = found["url"], found.get("mime_type") or declared
    else:
        url = media.ref
        if not _from_meta(url):
            raise MediaRefused("not an address of the provider")
    status, served_type, data = http_get(url, headers, limit)
    if status != 200:
        raise SendError(f"the file was not given ({status})")
    if len(data) > limit:
        raise MediaRefused(_too_large(limit))
    content_type = (declared or served_type).split(";")[0].strip().lower()
    return Fetched(_name(media, path, content_type), content_type, data)


def _too_large(limit: int) -> str:
    return f"larger than {limit // (1024 * 1024)} MB"


def _from_meta(url: str) -> bool:
    """Messenger's files are on Meta's servers, over HTTPS (or at the Graph API's own
    address, which tests point at a local fake)."""
    parts = urllib.parse.urlsplit(url)
    graph = urllib.parse.urlsplit(settings.META_GRAPH_URL)
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (graph.scheme, graph.netloc)


def _name(media: Media, path: str, content_type: str) -> str:
    """The provider's name for the file, else one made of its kind and type (Telegram's
    voice notes are .oga files: Ogg, named .ogg here)."""
    if media.name:
        return media.name
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    extension = {"oga": "ogg", "jpeg": "jpg"}.get(extension, extension)
    extension = extension or _EXTENSIONS.get(content_type, "bin")
    return f"{media.kind}-{hashlib.sha256(media.ref.encode()).hexdigest()[:8]}.{extension}"
