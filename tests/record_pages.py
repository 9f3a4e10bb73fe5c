"""A contact's or company's page as the browser shows it once its cards have loaded: the
page, then every card its placeholders ask for (as htmx does on load), put in their place."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(
    r'<section class="card card--loading"[^>]*hx-get="(?P<url>[^"]+)"[^>]*>.*?</section>', re.S
)


def panel(client, url: str):
    """One card, as htmx asks for it."""
    return client.get(url, HTTP_HX_REQUEST="true")


def shown(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()

    def loaded(match: re.Match) -> str:
        answer = panel(client, match["url"])
        assert answer.status_code == 200, match["url"]
        return answer.content.decode()

    return PLACEHOLDER.sub(loaded, body)
