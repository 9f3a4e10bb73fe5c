"""Messenger channels: each adapter against the providers' recorded payloads, signed and
forged; messages matched to contacts by handle and phone, kept once however often they
arrive; replies sent through the (fake, local) provider API, tried again on failure."""

from __future__ import annotations

import json

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.activities.models import Activity
from clientela.channels import inbox, messengers, secrets
from clientela.channels.models import ContactHandle, Conversation, Message, MessengerAccount
from clientela.customers import services as customer_services
from tests.messenger_fake import payload

pytestmark = pytest.mark.django_db

TELEGRAM_SECRET = "tg-secret-token-42"
META_SECRET = "meta-app-secret"
VERIFY = "verify-me"


def make_account(user, kind: str, **extra) -> MessengerAccount:
    data = {
        "kind": kind,
        "name": f"Shop on {kind}",
        "access_token": "123456:ABC-token",
        "webhook_secret": TELEGRAM_SECRET if kind == "telegram" else VERIFY,
        **extra,
    }
    if kind != "telegram":
        data |= {"app_secret": META_SECRET, "sender_id": "106540352242922"}
    return inbox.save_messenger(actor=user, instance=None, data=data)


@pytest.fixture
def telegram(user):
    return make_account(user, "telegram")


@pytest.fixture
def whatsapp(user):
    return make_account(user, "whatsapp")


@pytest.fixture
def facebook(user):
    return make_account(user, "messenger")


def post(client, account, body: bytes, **headers):
    return client.post(
        f"/hooks/messengers/{account.webhook_key}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def signed(body: bytes, secret: str = META_SECRET) -> dict:
    return {"X-Hub-Signature-256": messengers.meta_signature(secret, body)}


def test_secrets_are_kept_encrypted_and_out_of_the_form(telegram):
    assert "123456:ABC-token" not in telegram.access_token
    assert secrets.decrypt(telegram.access_token) == "123456:ABC-token"
    assert secrets.decrypt(telegram.webhook_secret) == TELEGRAM_SECRET


def test_telegram_update_with_the_secret_token_is_kept_once(client, telegram):
    body = payload("telegram_message")
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    answer = post(client, telegram, body, **headers)
    assert answer.status_code == 200
    message = Message.objects.get()
    assert message.channel == "telegram" and message.direction == "inbound"
    assert message.text == "Bună ziua, comanda mea a plecat?"
    assert message.from_name == "Ioana Marin" and message.external_id == "571230981:1042"
    conversation = message.conversation
    assert conversation.external_key == "571230981" and conversation.awaiting_reply
    assert conversation.contact is None  # unknown: offered for creation
    # Telegram sends an update again when the answer was slow: still one message.
    assert post(client, telegram, body, **headers).status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_forged_telegram_update_is_refused_and_nothing_kept(client, telegram, token):
    headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
    assert post(client, telegram, payload("telegram_message"), **headers).status_code == 403
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_whatsapp_message_signed_by_the_app_lands_on_the_contact_with_that_phone(
    client, whatsapp, user
):
    contact = customer_services.create_contact(
        actor=user, data={"full_name": "Sheena Nelson", "phones": ["0722 123 456"]}
    )
    body = payload("whatsapp_message")
    assert post(client, whatsapp, body, **signed(body)).status_code == 200
    message = Message.objects.get()
    assert message.channel == "whatsapp" and message.from_address == "+40722123456"
    assert message.conversation.contact == contact
    entry = Activity.objects.get(pk=message.activity_id)
    assert entry.kind == "message" and entry.channel == "whatsapp"
    assert entry.body == "Does it come in another color?"
    # The number is remembered as the contact's handle on WhatsApp.
    assert ContactHandle.objects.filter(channel="whatsapp", handle="40722123456").get().contact == (
        contact
    )


def test_a_whatsapp_status_update_keeps_nothing(client, whatsapp):
    body = payload("whatsapp_status")
    assert post(client, whatsapp, body, **signed(body)).status_code == 200
    assert not Message.objects.exists()


@pytest.mark.parametrize("forged", ["other-secret", None])
def test_a_forged_meta_signature_is_refused(client, whatsapp, facebook, forged):
    for account, name in ((whatsapp, "whatsapp_message"), (facebook, "messenger_message")):
        body = payload(name)
        headers = signed(body, forged) if forged else {}
        assert post(client, account, body, **headers).status_code == 403
    # A body changed after signing does not pass either.
    body = payload("whatsapp_message")
    tampered = body.replace(b"another color", b"a refund now")
    assert post(client, whatsapp, tampered, **signed(body)).status_code == 403
    assert not Message.objects.exists()


def test_meta_verify_challenge(client, whatsapp):
    url = f"/hooks/messengers/{whatsapp.webhook_key}/"
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = client.get(url, good)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert client.get(url, {**good, "hub.verify_token": "guess"}).status_code == 403
    assert client.get("/hooks/messengers/no-such-key/", good).status_code == 404


def test_facebook_message_matched_by_a_stored_handle(client, facebook, user):
    contact = customer_services.create_contact(actor=user, data={"full_name": "Dan Pop"})
    ContactHandle.objects.create(channel="messenger", handle="7012345678901234", contact=contact)
    body = payload("messenger_message")
    assert post(client, facebook, body, **signed(body)).status_code == 200
    message = Message.objects.get()
    assert message.conversation.contact == contact and message.activity_id
    assert message.text == "Hello, is the shop open on Sunday?"


def test_unknown_sender_becomes_a_contact_in_one_step(client, telegram, user):
    post(
        client,
        telegram,
        payload("telegram_message"),
        **{"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    conversation = Conversation.objects.get()
    client.force_login(user)
    answer = client.post(f"/inbox/{conversation.pk}/contact/", {"next": "/inbox/"})
    assert answer.status_code == 302
    conversation.refresh_from_db()
    assert conversation.contact.full_name == "Ioana Marin"
    assert Message.objects.get().activity_id  # now on her timeline
    # Her next message goes straight to her.
    update = json.loads(payload("telegram_message"))
    update["message"] |= {"message_id": 1043, "text": "Mulțumesc!"}
    inbox.receive(telegram, update)
    assert Message.objects.filter(activity__isnull=False).count() == 2


def test_a_reply_goes_through_the_api_by_a_job(client, telegram, user, fake_provider):
    contact = customer_services.create_contact(actor=user, data={"full_name": "Ioana Marin"})
    ContactHandle.objects.create(channel="telegram", handle="571230981", contact=contact)
    inbox.receive(telegram, json.loads(payload("telegram_message")))
    conversation = Conversation.objects.get()
    reply = inbox.reply(actor=user, conversation=conversation, text="Da, a plecat azi.")
    assert reply.delivery == "pending"
    job = DBTaskResult.objects.get(task_path="clientela.channels.tasks.deliver_message")
    assert job.args_kwargs["args"] == [reply.pk]
    inbox.deliver(reply.pk)  # what the worker runs
    reply.refresh_from_db()
    assert reply.delivery == "sent" and reply.external_id == "571230981:5000"
    (request,) = fake_provider.sent("sendMessage")
    assert request.path == "/bot123456:ABC-token/sendMessage"
    assert request.body == {"chat_id": "571230981", "text": "Da, a plecat azi."}
    inbox.deliver(reply.pk)  # run twice: sent once
    assert len(fake_provider.received) == 1
    conversation.refresh_from_db()
    assert not conversation.awaiting_reply
    assert Activity.objects.filter(kind="message", direction="outbound").count() == 1


def test_whatsapp_and_messenger_replies_are_shaped_as_documented(
    user, whatsapp, facebook, fake_provider
):
    inbox.receive(whatsapp, json.loads(payload("whatsapp_message")))
    inbox.receive(facebook, json.loads(payload("messenger_message")))
    for conversation in Conversation.objects.order_by("pk"):
        message = inbox.reply(actor=user, conversation=conversation, text="Yes")
        inbox.deliver(message.pk)
    wa, fb = fake_provider.received
    assert wa.path == "/v21.0/106540352242922/messages"
    assert wa.headers["Authorization"] == "Bearer 123456:ABC-token"
    assert wa.body["messaging_product"] == "whatsapp" and wa.body["to"] == "40722123456"
    assert wa.body["text"]["body"] == "Yes"
    assert fb.body == {
        "recipient": {"id": "7012345678901234"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes"},
    }
    assert set(Message.objects.filter(direction="outbound").values_list("delivery", flat=True)) == {
        "sent"
    }


def test_a_reply_not_taken_is_tried_again_then_given_up(user, telegram, fake_provider, settings):
    settings.MESSENGER_MAX_ATTEMPTS = 2
    inbox.receive(telegram, json.loads(payload("telegram_message")))
    reply = inbox.reply(actor=user, conversation=Conversation.objects.get(), text="Hello")
    fake_provider.failures = 5
    inbox.deliver(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == "pending" and reply.attempts == 1
    retry = DBTaskResult.objects.filter(task_path="clientela.channels.tasks.deliver_message")
    assert retry.exclude(run_after__isnull=True).exists()  # scheduled with a wait
    inbox.deliver(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == "failed" and reply.attempts == 2


def test_a_stub_transport_records_without_a_server(user, telegram, monkeypatch):
    calls = []
    monkeypatch.setattr(
        messengers,
        "http_post",
        lambda url, body, headers: calls.append((url, body)) or (200, {"ok": False}),
    )
    with pytest.raises(messengers.SendError):
        messengers.send(telegram, "1", "hi")
    assert calls and calls[0][1] == {"chat_id": "1", "text": "hi"}


def test_a_nul_character_in_a_message_is_left_out(telegram):
    update = json.loads(payload("telegram_message"))
    update["message"]["text"] = "Bună\u0000 ziua"
    (message,) = inbox.receive(telegram, update)
    message.refresh_from_db()
    assert message.text == "Bună ziua"
