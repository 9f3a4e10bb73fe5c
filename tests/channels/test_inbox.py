"""The unified inbox: the conversations waiting for an answer across messengers and
e-mail accounts, as far as the reader may see them; assigned, snoozed (a job brings them
back), marked done, answered, and turned into tickets from a shared inbox."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.channels import inbox, selectors
from clientela.channels.models import Conversation
from clientela.tickets.models import Ticket
from clientela.users.services import create_user
from tests.channels.test_messengers import make_account
from tests.mail_servers import raw_mail
from tests.messenger_fake import payload

pytestmark = pytest.mark.django_db


def telegram_update(chat: int, message_id: int, text: str, name: str = "Ioana") -> dict:
    update = json.loads(payload("telegram_message"))
    update["message"] |= {"message_id": message_id, "text": text}
    update["message"]["chat"]["id"] = chat
    update["message"]["from"] |= {"id": chat, "first_name": name, "last_name": ""}
    return update


@pytest.fixture
def shared(user, sales):
    return make_account(user, "telegram", team=sales, name="Shop bot")


@pytest.fixture
def private(user):
    boss = create_user(email="boss@firma.ro", full_name="Bianca Boss")
    return make_account(user, "telegram", owner=boss, name="Boss's bot")


def test_the_agent_sees_the_shared_inbox_not_a_colleagues_own(shared, private, agent):
    inbox.receive(shared, telegram_update(1, 1, "Shared question"))
    inbox.receive(private, telegram_update(2, 1, "Private question"))
    rows = selectors.unified_inbox(agent).items
    assert [c.last_in.text for c in rows] == ["Shared question"]


def test_the_page_lists_filters_and_pages_by_keyset(client, user, shared, settings):
    for n in range(1, 4):
        inbox.receive(shared, telegram_update(100 + n, 1, f"Question {n}", name=f"Person {n}"))
    client.force_login(user)
    page = client.get("/inbox/").content.decode()
    assert "Question 3" in page and "Question 1" in page
    first = selectors.unified_inbox(user, limit=2)
    assert [c.last_in.text for c in first.items] == ["Question 3", "Question 2"]
    rest = selectors.unified_inbox(user, limit=2, cursor=first.next_cursor)
    assert [c.last_in.text for c in rest.items] == ["Question 1"] and rest.next_cursor is None
    assert client.get("/inbox/?channel=whatsapp").content.decode().count("Question") == 0
    assert client.get("/inbox/?assignee=me").content.decode().count("Question") == 0
    assert client.get("/inbox/?cursor=garbage&state=nonsense").status_code == 200


def test_assign_snooze_and_done(client, user, shared, agent):
    inbox.receive(shared, telegram_update(7, 1, "Where is my parcel?"))
    conversation = Conversation.objects.get()
    client.force_login(user)
    client.post(f"/inbox/{conversation.pk}/assign/", {"assignee": agent.pk, "next": "/inbox/"})
    assert [c.pk for c in selectors.unified_inbox(agent, assignee="me").items] == [conversation.pk]

    client.post(f"/inbox/{conversation.pk}/snooze/", {"for": "4h", "next": "/inbox/"})
    conversation.refresh_from_db()
    assert conversation.state == "snoozed"
    assert selectors.unified_inbox(user).items == []
    assert selectors.unified_inbox(user, state="snoozed").items == [conversation]
    job = DBTaskResult.objects.get(task_path="clientela.channels.tasks.wake_conversation")
    assert job.run_after == conversation.snoozed_until
    assert not inbox.wake(conversation.pk)  # too early: stays snoozed
    Conversation.objects.filter(pk=conversation.pk).update(
        snoozed_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert inbox.wake(conversation.pk)
    assert [c.pk for c in selectors.unified_inbox(user).items] == [conversation.pk]

    client.post(f"/inbox/{conversation.pk}/done/", {"next": "/inbox/"})
    assert selectors.unified_inbox(user).items == []
    # A new message from the customer brings it back.
    inbox.receive(shared, telegram_update(7, 2, "Hello?"))
    assert [c.pk for c in selectors.unified_inbox(user).items] == [conversation.pk]


def test_snoozing_into_the_past_is_refused_with_a_message(client, user, shared):
    inbox.receive(shared, telegram_update(7, 1, "Hi"))
    conversation = Conversation.objects.get()
    client.force_login(user)
    answer = client.post(
        f"/inbox/{conversation.pk}/snooze/", {"until": "2001-01-01T09:00"}, follow=True
    )
    assert "Choose a time in the future." in answer.content.decode()
    conversation.refresh_from_db()
    assert conversation.state == "open"


def test_replying_from_the_inbox_answers_it(client, user, shared, fake_provider):
    inbox.receive(shared, telegram_update(7, 1, "Hi"))
    conversation = Conversation.objects.get()
    client.force_login(user)
    answer = client.post(
        f"/inbox/{conversation.pk}/reply/", {"text": "Hello!", "next": "/inbox/"}, follow=True
    )
    assert "Reply sent." in answer.content.decode()
    assert selectors.unified_inbox(user).items == []
    empty = client.post(f"/inbox/{conversation.pk}/reply/", {"text": " "}, follow=True)
    assert "Write the message first." in empty.content.decode()


def test_a_shared_inbox_opens_a_ticket_from_a_message(client, user, shared, private):
    inbox.receive(shared, telegram_update(7, 1, "My order arrived broken"))
    message = Conversation.objects.get().messages.get()
    client.post(f"/inbox/{message.conversation_id}/contact/")  # not logged in: refused
    client.force_login(user)
    client.post(f"/inbox/{message.conversation_id}/contact/")
    answer = client.post(f"/inbox/messages/{message.pk}/ticket/")
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == ticket.get_absolute_url()
    assert ticket.description == "My order arrived broken"
    assert ticket.contact.full_name == "Ioana"
    assert message.conversation.__class__.objects.get(pk=message.conversation_id).state == "done"
    # A person's own messenger is no shared inbox.
    inbox.receive(private, telegram_update(8, 1, "Private"))
    own = Conversation.objects.get(messenger=private).messages.get()
    refused = client.post(f"/inbox/messages/{own.pk}/ticket/", follow=True)
    assert "Only a shared inbox opens tickets." in refused.content.decode()
    assert Ticket.objects.count() == 1


def test_an_email_thread_waits_until_answered(account, mailbox, user):
    from clientela.channels import services

    mailbox.deliver(raw_mail())
    services.fetch_account(account)
    rows = selectors.unified_inbox(user).items
    assert len(rows) == 1 and rows[0].channel == "email"
    assert rows[0].last_in.subject
