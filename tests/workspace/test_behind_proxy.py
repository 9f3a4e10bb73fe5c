"""`clientela run` behind a TLS-ending reverse proxy: the server `clientela run` starts,
reached through a real proxy hop, takes the proxy's X-Forwarded-Proto (no redirect to
https forever) and records the client's address from X-Forwarded-For; the same headers
sent straight to the server by anyone else are not believed."""

from __future__ import annotations

import http.client
import http.server
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import override_settings

from clientela.workspace.management.commands.run import create_server

pytestmark = pytest.mark.django_db(transaction=True)

# The client connects from another loopback address than the proxy's (127.0.0.1), so
# the address recorded shows whose it is.
CLIENT_ADDRESS = "127.0.0.2"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}


def _proxy_to(backend_port: int) -> http.server.ThreadingHTTPServer:
    """A reverse proxy that ended TLS: it forwards each request with the client's
    address appended to X-Forwarded-For and X-Forwarded-Proto: https."""

    class Forward(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            chain = [self.headers.get("X-Forwarded-For"), self.client_address[0]]
            headers["X-Forwarded-For"] = ", ".join(part for part in chain if part)
            headers["X-Forwarded-Proto"] = "https"
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward

        def log_message(self, *args) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)


@contextmanager
def serving(*, redirect: bool = True):
    """The server `clientela run` starts, behind the proxy; yields both ports."""
    from django.conf import settings

    # The app's log file lives in the data folder, which a test may have emptied.
    Path(settings.LOG_DIR).mkdir(parents=True, exist_ok=True)
    from clientela.wsgi import application

    with override_settings(
        SECURE_SSL_REDIRECT=redirect,
        SECURE_HSTS_SECONDS=3600,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        TRUSTED_PROXIES=["127.0.0.1/32", "::1/128"],
    ):
        application.load_middleware()  # middleware reads these settings once, when built
        server = create_server(host="127.0.0.1", port=0, threads=2)
        proxy = _proxy_to(server.effective_port)
        threads = [
            threading.Thread(target=server.run, daemon=True),
            threading.Thread(target=proxy.serve_forever, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            yield proxy.server_address[1], server.effective_port
        finally:
            proxy.shutdown()
            proxy.server_close()
            server.close()
            for thread in threads:
                thread.join(timeout=10)
    application.load_middleware()


def _request(port: int, method: str, path: str, body: str | None = None, **headers: str):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(CLIENT_ADDRESS, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.msg, answer.read().decode()
    finally:
        connection.close()


def _failed_login(port: int, email: str, **extra: str) -> int:
    status, headers, page = _request(port, "GET", "/login/", **extra)
    assert status == 200, (status, headers.get("Location"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", " ".join(headers.get_all("Set-Cookie"))).group(1)
    status, _headers, _page = _request(
        port,
        "POST",
        "/login/",
        urlencode({"username": email, "password": "wrong", "csrfmiddlewaretoken": token}),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            # An HTTPS request must come from a page of the same origin (Django's CSRF).
            "Referer": f"https://127.0.0.1:{port}/login/",
        },
        **extra,
    )
    return status


def test_through_the_proxy_pages_load_and_the_client_address_is_recorded(user):
    from axes.models import AccessAttempt

    with serving() as (proxy_port, _server_port):
        status, headers, _page = _request(proxy_port, "GET", "/login/")
        assert status == 200, f"redirected to {headers.get('Location')} though the proxy said https"
        assert "Strict-Transport-Security" in headers  # the request counts as HTTPS

        assert _failed_login(proxy_port, user.email) == 200  # the form again, with its error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_ADDRESS]


def test_proxy_headers_sent_straight_to_the_server_are_not_believed(user):
    from axes.models import AccessAttempt

    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    with serving() as (_proxy_port, server_port):
        status, headers, _page = _request(server_port, "GET", "/login/", **forged)
    assert status == 301
    assert headers["Location"].startswith("https://")
    # Without the redirect, a failed login sent straight with a forged address is
    # counted for the address the connection came from.
    with serving(redirect=False) as (_proxy_port, server_port):
        assert _failed_login(server_port, user.email, **forged) == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_ADDRESS]
