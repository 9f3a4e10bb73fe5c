"""A local stand-in for the messengers' APIs (Telegram's Bot API and Meta's Graph API):
it records every request and answers as the providers document, or fails on demand. The
tests point TELEGRAM_API_URL and META_GRAPH_URL at it; nothing reaches the internet."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAYLOADS = Path(__file__).parent / "channels" / "payloads"


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
