"""The HTTP benchmark's client asks a page over real sockets from concurrent clients and
reports what they saw: p50/p95, throughput, and the answers that were not 200."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import over_http


class Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the web processes answer
    seen: list[tuple[str, str]] = []

    def do_GET(self):
        Page.seen.append((self.path, self.headers.get("Cookie", "")))
        status = 200 if self.path != "/missing/" else 404
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        Page.seen.append((self.path, body))
        self.send_response(302)
        self.send_header("Location", "/contacts/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Page.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_concurrent_clients_ask_the_page_and_report_what_they_saw(server):
    figures = over_http.measure([server], "/contacts/", {"Cookie": "sessionid=abc"}, 3, 5)

    assert figures["requests"] == 15 and figures["errors"] == 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"]
    assert figures["per_second"] > 0
    # Three warm-ups per client, then the timed ones, all with the session cookie.
    assert Page.seen.count(("/contacts/", "sessionid=abc")) == 3 * (over_http.WARM_UP + 5)


def test_answers_other_than_200_are_counted_as_errors(server):
    with pytest.raises(RuntimeError, match="no answer"):
        over_http.measure([server], "/missing/", {}, 2, 2)


def test_a_form_is_sent_by_post_each_time_with_its_own_fields(server):
    figures = over_http.measure(
        [server],
        "/contacts/new/",
        {},
        2,
        3,
        form=lambda client, number: {"email": f"p{client}.{number}@bench.test"},
        expect=302,
    )

    assert figures["requests"] == 6 and figures["errors"] == 0
    bodies = [body for path, body in Page.seen if path == "/contacts/new/"]
    assert len(bodies) == 2 * (over_http.WARM_UP + 3) == len(set(bodies))
    assert "email=p1.4%40bench.test" in bodies
