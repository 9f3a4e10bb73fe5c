"""A form's `next` sends the browser back to a page of this site only: a link to another
site, however it is written, falls back to the form's own page (no open redirect)."""

from __future__ import annotations

import pytest

from clientela.activities import services as activity_services
from clientela.customers import services as customer_services
from clientela.deals import services as deal_services

OFF_SITE = [
    "https://evil.example/login",
    "//evil.example/login",
    "/\\evil.example/login",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(document.cookie)",
    "http://testserver.evil.example/",
]


@pytest.fixture
def things(user):
    contact = customer_services.create_contact(actor=user, data={"full_name": "Ion Pop"})
    task = activity_services.create_task(actor=user, title="Call", assignee=user, record=contact)
    deal = deal_services.create_deal(actor=user, data={"name": "Scaune"})
    return contact, task, deal


def posts(things) -> dict[str, tuple[str, dict, str]]:
    """Form posts that carry a `next`: (url, data, where they go without one)."""
    contact, task, deal = things
    token = f"contact:{contact.pk}"
    return {
        "task done": (f"/tasks/{task.pk}/done/", {}, "/my-day/"),
        "log activity": (
            f"/records/{token}/log/",
            {"kind": "note", "body": "Hi"},
            contact.get_absolute_url(),
        ),
        "task create": (f"/records/{token}/tasks/", {"title": "X"}, contact.get_absolute_url()),
        "notifications read all": ("/notifications/read-all", {}, "/notifications/"),
        "deal close": (
            f"/deals/{deal.pk}/close/",
            {"outcome": "won", "version": deal.version},
            deal.get_absolute_url(),
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
@pytest.mark.parametrize(
    "form", ["task done", "log activity", "task create", "notifications read all", "deal close"]
)
def test_next_never_leads_off_site(user_client, things, form, target):
    url, data, fallback = posts(things)[form]
    response = user_client.post(url, {**data, "next": target})
    assert response.status_code == 302
    assert response["Location"] == fallback


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["task done", "log activity", "notifications read all"])
def test_next_on_this_site_is_followed(user_client, things, form):
    url, data, _fallback = posts(things)[form]
    response = user_client.post(url, {**data, "next": "/contacts/?q=ion"})
    assert response["Location"] == "/contacts/?q=ion"
