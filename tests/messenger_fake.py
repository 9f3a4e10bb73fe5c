"""A local stand-in for the messengers' APIs (Telegram's Bot API and Meta's Graph API):
it records every request and answers as the providers document (their media APIs too:
the files it is given), or fails on demand. The
tests point TELEGRAM_API_URL and META_GRAPH_URL at it; nothing reaches the internet."""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAYLOADS = Path(__file__).parent / "channels" / "payloads"
TELEGRAM_SECRET = "tg-secret-token-42"


def payload(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


@dataclass
class FakeProvider:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    failures: int = 0  # the next this many requests get a 500
    # Files the provider holds, by the reference a message gives (Telegram's file id,
    # WhatsApp's media id, a path under /cdn/): (Telegram's file path, type, bytes).
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)

    def sent(self, method: str) -> list[Received]:
        return [r for r in self.received if r.path.endswith(method)]


def _handler(state: FakeProvider):
    numbers = itertools.count(5000)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.received.append(Received(self.path, dict(self.headers), body))
            if state.failures:
                state.failures -= 1
                return self._answer(500, {"ok": False, "description": "Internal Server Error"})
            number = next(numbers)
            if "/sendMessage" in self.path:
                result = {
                    "message_id": number,
                    "chat": {"id": int(body["chat_id"]), "type": "private"},
                    "date": 1796630500,
                    "text": body["text"],
                }
                return self._answer(200, {"ok": True, "result": result})
            if body.get("messaging_product") == "whatsapp":
                return self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                        "messages": [{"id": f"wamid.OUT{number}"}],
                    },
                )
            return self._answer(
                200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_OUT{number}"}
            )

        def do_GET(self):
            path, _sep, query = self.path.partition("?")
            state.received.append(Received(self.path, dict(self.headers), {}))
            if state.failures:
                state.failures -= 1
                return self._answer(500, {"ok": False, "description": "Internal Server Error"})
            if path.endswith("/getFile"):  # Telegram: the file's path, then the file
                file_id = urllib.parse.parse_qs(query).get("file_id", [""])[0]
                if file_id not in state.files:
                    return self._answer(400, {"ok": False, "description": "Bad Request"})
                file_path, _type, data = state.files[file_id]
                result = {"file_id": file_id, "file_size": len(data), "file_path": file_path}
                return self._answer(200, {"ok": True, "result": result})
            if path.startswith("/file/bot"):
                for file_path, content_type, data in state.files.values():
                    if path.endswith("/" + file_path):
                        return self._file(content_type, data)
                return self._answer(404, {"ok": False})
            if path.startswith("/v21.0/"):  # WhatsApp: the media id's address, then the file
                if self.headers.get("Authorization") != "Bearer 123456:ABC-token":
                    return self._answer(401, {"error": {"message": "Invalid OAuth token"}})
                media_id = path.removeprefix("/v21.0/")
                if media_id not in state.files:
                    return self._answer(404, {"error": {"message": "Unsupported get request"}})
                _path, content_type, data = state.files[media_id]
                return self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "url": f"{state.url}/whatsapp/media/{media_id}",
                        "mime_type": content_type,
                        "file_size": len(data),
                        "id": media_id,
                    },
                )
            if path.startswith("/whatsapp/media/"):
                if self.headers.get("Authorization") != "Bearer 123456:ABC-token":
                    return self._answer(401, {"error": {"message": "Invalid OAuth token"}})
                found = state.files.get(path.removeprefix("/whatsapp/media/"))
            else:  # Messenger's files, at the address the message gives
                found = state.files.get(path)
            if found is None:
                return self._answer(404, {"error": {"message": "Not found"}})
            return self._file(found[1], found[2])

        def _file(self, content_type: str, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def fake_provider(settings):
    state = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TELEGRAM_API_URL = state.url
    settings.META_GRAPH_URL = state.url + "/v21.0"
    yield state
    server.shutdown()
    server.server_close()


def telegram_bot_and_ioana(actor):
    """A Telegram bot (its webhook guarded by TELEGRAM_SECRET) and Ioana Marin, whose
    Telegram id the recorded updates carry: what a browser walk of a messenger starts from."""
    from clientela.channels import inbox
    from clientela.channels.models import ContactHandle
    from clientela.customers import services as customer_services

    bot = inbox.save_messenger(
        actor=actor,
        instance=None,
        data={
            "kind": "telegram",
            "name": "Shop bot",
            "access_token": "123456:ABC-token",
            "webhook_secret": TELEGRAM_SECRET,
        },
    )
    ioana = customer_services.create_contact(actor=actor, data={"full_name": "Ioana Marin"})
    ContactHandle.objects.create(channel="telegram", handle="571230981", contact=ioana)
    return bot, ioana
