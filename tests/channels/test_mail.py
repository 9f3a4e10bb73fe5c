"""E-mail against real servers: fetching is incremental and survives a kill, messages are
threaded and put on their contacts' timelines, unknown senders become contacts in one
step, replies keep the thread, and broken mail is kept without a stack trace."""

from __future__ import annotations

import pytest

from clientela.activities.models import Activity, TimelineLink
from clientela.channels import mail, secrets, selectors, sending, services
from clientela.channels.models import MailFolder, Message
from clientela.customers import services as customer_services
from clientela.customers.models import Contact
from tests.mail_servers import IMAP_USER, raw_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def emily(user):
    return customer_services.quick_add_contact(
        actor=user, name="Emily Carter", email="emily@carter.co", company_name="Carter & Co"
    )


def test_the_password_is_kept_encrypted(account):
    assert account.imap_password and "imap-secret" not in account.imap_password
    assert secrets.decrypt(account.imap_password) == "imap-secret"
    assert secrets.decrypt("not a token") == ""


def test_fetch_is_incremental_and_lands_on_the_timelines(account, mailbox, emily):
    mailbox.deliver(raw_mail())
    assert services.fetch_account(account) == 1
    message = Message.objects.get()
    assert message.direction == "inbound" and message.from_name == "Emily Carter"
    linked = {link.record_type for link in _links(message)}
    assert linked == {"contact", "company"}
    assert services.fetch_account(account) == 0  # nothing new
    mailbox.deliver(raw_mail(message_id="<m2@carter.co>", subject="Another"))
    assert services.fetch_account(account) == 1
    folder = MailFolder.objects.get(account=account, name=account.inbox_folder)
    assert folder.last_uid > 0 and folder.uidvalidity > 0
    emily.refresh_from_db()
    assert emily.last_contacted_at is not None


def test_a_fetch_killed_half_way_keeps_each_message_once(account, mailbox, emily):
    mailbox.deliver(raw_mail())
    mailbox.deliver(raw_mail(message_id="<m2@carter.co>"))
    services.fetch_account(account)
    # A kill after the messages were kept but before the UIDs were: the next fetch reads
    # them all again.
    MailFolder.objects.filter(account=account).update(last_uid=0)
    assert services.fetch_account(account) == 0
    assert Message.objects.count() == 2 and Activity.objects.count() == 2
    # The server renumbered the folder: read again, still kept once.
    MailFolder.objects.filter(account=account).update(uidvalidity=1)
    assert services.fetch_account(account) == 0
    assert Message.objects.count() == 2


def test_a_fetch_dying_inside_a_batch_keeps_the_batches_before_it_and_their_uid(
    account, mailbox, emily, monkeypatch
):
    monkeypatch.setattr(services, "KEEP_BATCH", 2)
    for n in range(1, 6):
        mailbox.deliver(raw_mail(message_id=f"<m{n}@carter.co>", subject=f"Order {n}"))
    receive = services.receive
    seen: list[int] = []

    def dies_at_the_fourth(**kwargs):
        seen.append(kwargs["uid"])
        if len(seen) == 4:
            raise RuntimeError("the worker was killed")
        return receive(**kwargs)

    monkeypatch.setattr(services, "receive", dies_at_the_fourth)
    with pytest.raises(RuntimeError):
        services.fetch_account(account)
    # The first batch (two messages) is kept with its last UID; the third message, in the
    # batch that died, is not kept and its UID not saved.
    folder = MailFolder.objects.get(account=account, name=account.inbox_folder)
    assert folder.last_uid == seen[1]
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "<m1@carter.co>",
        "<m2@carter.co>",
    ]
    assert Activity.objects.count() == 2
    monkeypatch.setattr(services, "receive", receive)
    assert services.fetch_account(account) == 3
    assert Message.objects.count() == 5 and Activity.objects.count() == 5
    folder.refresh_from_db()
    assert folder.last_uid == max(Message.objects.values_list("uid", flat=True))


def test_threading_by_headers_then_by_subject_and_people(account, mailbox, emily):
    mailbox.deliver(raw_mail())
    mailbox.deliver(
        raw_mail(message_id="<m2@carter.co>", subject="Re: Renewal",
                 extra="In-Reply-To: <m1@carter.co>\r\nReferences: <m1@carter.co>\r\n")
    )  # fmt: skip
    mailbox.deliver(raw_mail(message_id="<m3@carter.co>", subject="RE: renewal"))
    mailbox.deliver(raw_mail(message_id="<m4@carter.co>", subject="Invoice"))
    services.fetch_account(account)
    threads = {m.external_id: m.conversation_id for m in Message.objects.all()}
    assert threads["<m1@carter.co>"] == threads["<m2@carter.co>"] == threads["<m3@carter.co>"]
    assert threads["<m4@carter.co>"] != threads["<m1@carter.co>"]


def test_a_reply_is_sent_kept_in_the_sent_folder_and_in_the_thread(
    account, mailbox, smtp_server, emily, user
):
    mailbox.deliver(raw_mail())
    services.fetch_account(account)
    inbound = Message.objects.get()
    before = len(smtp_server[1].received)
    reply = sending.send_email(
        actor=user,
        account=account,
        record=emily,
        to=["emily@carter.co"],
        subject="Re: Renewal",
        body="Thank you, signed.",
        reply_to=inbound,
    )
    assert reply.conversation_id == inbound.conversation_id
    assert reply.direction == "outbound" and reply.in_reply_to == "<m1@carter.co>"
    _sender, recipients, raw = smtp_server[1].received[before]
    assert recipients == ["emily@carter.co"]
    assert b"In-Reply-To: <m1@carter.co>" in raw
    copies = mailbox.messages(mailbox.sent)
    assert len(copies) == 1 and mail.parse(copies[0]).message_id == reply.external_id
    assert {link.record_type for link in _links(reply)} == {"contact", "company"}
    assert reply.activity.author == user
    # Emily answers the reply: it joins the same thread.
    mailbox.deliver(
        raw_mail(message_id="<m9@carter.co>", subject="Re: Renewal",
                 extra=f"In-Reply-To: {reply.external_id}\r\n")
    )  # fmt: skip
    services.fetch_account(account)
    assert Message.objects.get(external_id="<m9@carter.co>").conversation_id == (
        inbound.conversation_id
    )


def test_sending_refuses_bad_addresses_and_a_server_that_is_down(account, emily, user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sending.send_email(
            actor=user, account=account, record=emily, to=["not an address"], subject="x",
            body="y",
        )  # fmt: skip
    account.smtp_port = 1
    with pytest.raises(ValidationError, match="did not take"):
        sending.send_email(
            actor=user, account=account, record=emily, to=["emily@carter.co"], subject="x",
            body="y",
        )  # fmt: skip


def test_an_unknown_sender_becomes_a_contact_with_the_message_and_its_file(
    account, mailbox, user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    raw = (
        b"From: John Doe <john@doe.example>\r\nTo: desk@firma.ro\r\nSubject: Quote\r\n"
        b"Message-ID: <q1@doe.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nPlease quote.\r\n"
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="rfq.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--b--\r\n"
    )
    mailbox.deliver(raw)
    services.fetch_account(account)
    message = Message.objects.get()
    assert message.activity_id is None and message.raw  # waits for its contact
    assert [m.pk for m in selectors.inbox(user)] == [message.pk]
    contact = services.create_contact_from_sender(actor=user, message=message)
    assert contact.full_name == "John Doe"
    assert Contact.objects.get(pk=contact.pk).email == "john@doe.example"
    message.refresh_from_db()
    assert {link.record_type for link in _links(message)} == {"contact"}
    assert [f.name for f in message.activity.attachments.all()] == ["rfq.pdf"]
    assert not message.raw


def test_forged_and_malformed_mail_is_kept_without_a_stack_trace(account, mailbox, emily):
    mailbox.deliver(b"\xff\xfe garbage without headers \x00\r\n")
    mailbox.deliver(
        b"From: =?utf-8?q?broken\r\nTo: <<<>>>\r\nDate: yesterday-ish\r\n"
        b"Subject: =?x-unknown?b?????=\r\nContent-Type: text/html; charset=nonsense\r\n\r\n"
        b"<p onclick=alert(1)>Hi<script>alert(2)</script><img src=https://track.example/x></p>"
    )
    # A forged sender with a Message-ID of a message already kept: kept once, not twice.
    mailbox.deliver(raw_mail())
    mailbox.deliver(raw_mail(sender="Mallory <emily@carter.co>", body="Pay me"))
    assert services.fetch_account(account) == 3
    html = Message.objects.exclude(html="").get()
    assert "script" not in html.html and "onclick" not in html.html
    assert "track.example" not in mail.sanitise_html(html.html)
    assert "track.example" in mail.sanitise_html(html.html, remote_images=True)


def test_a_server_that_refuses_the_login_is_noted_on_the_account(account, user):
    account.imap_password = secrets.encrypt("wrong")
    account.save()
    assert services.fetch_account(account) == 0
    account.refresh_from_db()
    assert account.last_error
    assert services.test_account(actor=user, account=account)


def _links(message):
    from clientela.core.models import model_of

    links = list(TimelineLink.objects.filter(activity_id=message.activity_id))
    for link in links:
        link.record_type = model_of(link.content_type)._meta.model_name
    return links


def test_own_address_is_not_a_contact(account, mailbox):
    mailbox.deliver(raw_mail(sender=IMAP_USER, to="nobody@else.example"))
    services.fetch_account(account)
    assert Message.objects.get().direction == "outbound"


def test_mail_sent_from_another_program_joins_its_thread_from_the_sent_folder(
    account, mailbox, emily, user
):
    from clientela.channels import inbox

    mailbox.deliver(raw_mail())
    assert services.fetch_account(account) == 1
    inbound = Message.objects.get()
    assert [c.pk for c in selectors.unified_inbox(user).items] == [inbound.conversation_id]
    # Answered from a phone's mail program: only the Sent folder holds the answer.
    mailbox.deliver(
        raw_mail(sender=f"Desk <{IMAP_USER}>", to="Emily Carter <emily@carter.co>",
                 subject="Re: Renewal", body="Signed, sent by courier.",
                 message_id="<answer1@firma.ro>",
                 extra="In-Reply-To: <m1@carter.co>\r\nReferences: <m1@carter.co>\r\n"),
        folder=mailbox.sent,
    )  # fmt: skip
    assert services.fetch_account(account) == 1
    answer = Message.objects.get(external_id="<answer1@firma.ro>")
    assert answer.direction == "outbound" and answer.folder == mailbox.sent
    assert answer.conversation_id == inbound.conversation_id
    assert {link.record_type for link in _links(answer)} == {"contact", "company"}
    # Answered: out of the unified inbox.
    assert selectors.unified_inbox(user).items == []
    assert services.fetch_account(account) == 0  # each folder read from its last UID
    assert set(MailFolder.objects.filter(account=account).values_list("name", flat=True)) == {
        mailbox.inbox,
        mailbox.sent,
    }
    # What the CRM sends is copied to the Sent folder: read there, it is the same message.
    inbox.reply(actor=user, conversation=inbound.conversation, text="One more thing.")
    assert services.fetch_account(account) == 0
    assert Message.objects.filter(direction="outbound").count() == 2


def test_an_account_without_a_sent_folder_still_fetches_its_inbox(account, mailbox, emily):
    account.sent_folder = "No such folder"
    account.save(update_fields=["sent_folder"])
    mailbox.deliver(raw_mail())
    assert services.fetch_account(account) == 1
    account.refresh_from_db()
    assert account.last_error == ""
