"""Messenger messages in the one search: found by their text and sender, shown only to
those who may read their conversation (the messenger account's holders, or those who see
the contact), and opened in their conversation from the results."""

from __future__ import annotations

import html

import pytest

from clientela.channels import inbox
from clientela.channels.models import Message
from clientela.core import search
from clientela.users.services import create_user, role_named
from tests.channels.test_inbox import telegram_update
from tests.channels.test_messengers import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss():
    return create_user(
        email="boss@firma.ro",
        full_name="Bianca Boss",
        role=role_named("sales-representative"),
    )


def test_a_messenger_message_is_found_by_those_who_may_read_it(client, user, sales, agent, boss):
    shared = make_account(user, "telegram", team=sales, name="Shop bot")
    private = make_account(user, "telegram", owner=boss, name="Boss's bot")
    inbox.receive(shared, telegram_update(1, 1, "Do you deliver pallets to Turda?", "Ioana"))
    inbox.receive(private, telegram_update(2, 1, "Pallets for my own farm", "Radu"))
    shared_message = Message.objects.get(text__startswith="Do you deliver")

    found = search.search(agent, "pallets")
    assert [(r.title, r.subtitle, r.kind) for r in found] == [
        ("Ioana", "Telegram · Ioana", "message")
    ]
    assert {r.title for r in search.search(boss, "pallets")} == {"Radu"}
    # By the sender's name too.
    assert [r.title for r in search.search(agent, "ioana")] == ["Ioana"]

    # The results page links to the message, which opens in its conversation.
    client.force_login(agent)
    page = html.unescape(client.get("/search/?q=pallets").content.decode())
    assert found[0].url == f"/mail/messages/{shared_message.pk}/" and found[0].url in page
    assert "Radu" not in page
    opened = client.get(found[0].url, follow=True)
    assert opened.redirect_chain[-1][0].endswith(
        f"/mail/conversations/{shared_message.conversation_id}/#message-{shared_message.pk}"
    )
    assert "Do you deliver pallets to Turda?" in html.unescape(opened.content.decode())
    # The other's message is no more reachable by its address than by the search.
    hidden = Message.objects.get(text__startswith="Pallets for my own")
    assert client.get(f"/mail/messages/{hidden.pk}/").status_code == 404


def test_a_reply_from_the_crm_is_found_too(user, sales, agent):
    shared = make_account(user, "telegram", team=sales, name="Shop bot")
    (message,) = inbox.receive(shared, telegram_update(1, 1, "Hello", "Ioana"))
    inbox.reply(actor=agent, conversation=message.conversation, text="Tuesday, with the van")
    assert [r.subtitle for r in search.search(agent, "with the van")] == ["Telegram · Alex Agent"]


def test_messages_received_before_messages_joined_the_search_are_found_after_reindex(
    user, sales, agent
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from clientela.core.models import SearchEntry

    shared = make_account(user, "telegram", team=sales, name="Shop bot")
    for update in range(1, 4):
        inbox.receive(
            shared, telegram_update(update, 1, f"Old question {update} on pallets", "Ioana")
        )
    # As they were before the search knew messages: no entries.
    SearchEntry.objects.filter(content_type__model="message").delete()
    assert search.search(agent, "pallets") == []

    out = StringIO()
    call_command("reindex", "channels.message", stdout=out)
    assert "channels.message: 3 search entries written" in out.getvalue()
    found = search.search(agent, "old question 2")
    assert [(r.title, r.subtitle) for r in found] == [("Ioana", "Telegram · Ioana")]
    assert len(search.search(agent, "pallets")) == 3

    # Again: nothing missing, nothing written twice; every type is looked at.
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "channels.message: 0 search entries written" in out.getvalue()
    assert "customers.contact: 0 search entries written" in out.getvalue()
    assert SearchEntry.objects.filter(content_type__model="message").count() == 3

    with pytest.raises(CommandError, match=r"Not a searchable type: channels\.mailaccount"):
        call_command("reindex", "channels.mailaccount")
