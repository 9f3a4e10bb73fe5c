"""Which peers are trusted reverse proxies (CLIENTELA_TRUSTED_PROXIES), the client address
behind them, and the middleware that drops proxy headers sent by anyone else."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The headers a proxy sets (as Django's META names them); the web server passes them on
# and this module decides, per request, whether they are believed.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_BY",
    "HTTP_FORWARDED",
)


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"CLIENTELA_TRUSTED_PROXIES holds {proxy!r}, which is not an address or network."
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted(peer: Address | None) -> bool:
    return peer is not None and any(peer in network for network in trusted_networks())


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from. Behind trusted proxies, the right-most address of
    X-Forwarded-For that is not one of them: a client cannot forge its way past the proxy
    by sending the header itself, since only what the trusted proxies appended is read."""
    remote = address(request.META.get("REMOTE_ADDR") or "")
    if remote is None or not trusted_networks():
        return str(remote) if remote else None
    if not is_trusted(remote):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop_address = address(hop)
        if hop_address is None:
            break  # a garbled chain: believe only the proxy itself
        if not is_trusted(hop_address):
            return str(hop_address)
    return str(remote)


class ProxyHeadersMiddleware:
    """First in the chain: X-Forwarded-* headers count only when the peer is a trusted
    proxy. From anyone else they are removed, so a client talking to the app directly
    cannot claim HTTPS (SECURE_PROXY_SSL_HEADER) or another address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted(address(request.META.get("REMOTE_ADDR") or "")):
            for header in PROXY_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
