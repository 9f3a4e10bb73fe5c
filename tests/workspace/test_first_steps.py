"""The home page's "First steps" tick as the person takes them (they ticked only "Log in")."""

from __future__ import annotations

import re

import pytest

from clientela.customers import services as customer_services
from clientela.users.services import create_user, role_named

pytestmark = pytest.mark.django_db

PASSWORD = "Corect-cal-baterie-9"


def done_steps(client) -> list[str]:
    page = client.get("/").content.decode()
    card = re.search(r'<ol class="steps">(.*?)</ol>', page, re.S).group(1)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", text).split("—")[0].split())
        for text in re.findall(r'<li class="steps__item is-done"[^>]*>(.*?)</li>', card, re.S)
    ]


def test_each_step_ticks_once_the_person_has_taken_it(client, django_capture_on_commit_callbacks):
    admin = create_user(
        email="admin@firma.ro", full_name="Ana Admin", password=PASSWORD, administrator=True
    )
    client.force_login(admin)
    assert done_steps(client) == ["Log in to your own Clientela"]

    # Someone else's work ticks nothing of hers.
    colleague = create_user(email="ion@firma.ro", role=role_named("manager"))
    customer_services.create_contact(actor=colleague, data={"full_name": "Al lui Ion"})
    assert done_steps(client) == ["Log in to your own Clientela"]

    client.post("/contacts/quick-add/", {"name": "Ioana Pop", "phone": "0722 123 456"})
    assert done_steps(client) == ["Log in to your own Clientela", "Add a contact"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/settings/people/invite/",
            {"email": "maria@firma.ro", "role": role_named("sales-representative").pk},
        )
    assert "Invite the people you work with" in done_steps(client)

    new = "Alt-cal-baterie-10"
    answer = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert answer.status_code == 302
    assert done_steps(client) == [
        "Log in to your own Clientela",
        "Add a contact",
        "Invite the people you work with",
        "Choose a password of your own",
    ]


def test_an_invited_person_has_chosen_their_password_through_the_link(client):
    from clientela.users.services import invitation_link

    invited = create_user(email="maria@firma.ro", full_name="Maria Pop")
    link = invitation_link(invited, "http://testserver/").removeprefix("http://testserver")
    form = client.get(link, follow=True)
    chosen = {"new_password1": PASSWORD, "new_password2": PASSWORD}
    assert client.post(form.redirect_chain[-1][0], chosen).status_code == 302
    invited.refresh_from_db()
    client.force_login(invited)
    assert "Choose a password of your own" in done_steps(client)


def test_a_call_a_deal_an_import_and_a_mailbox_tick_their_steps(client):
    from clientela.activities import services as activity_services
    from clientela.channels.models import MailAccount
    from clientela.dataio.models import ImportRun
    from clientela.deals import services as deal_services

    rep = create_user(email="rep@firma.ro", full_name="Radu Rep", password=PASSWORD)
    client.force_login(rep)
    assert done_steps(client) == ["Log in to your own Clientela"]

    ImportRun.objects.create(created_by=rep, record_type="contact", file_name="a.csv", path="x")
    assert done_steps(client) == ["Log in to your own Clientela", "Add a contact"]
    contact = customer_services.create_contact(actor=rep, data={"full_name": "Ioana Pop"})
    activity_services.log_activity(actor=rep, record=contact, kind="call", subject="Sunat")
    deal_services.create_deal(actor=rep, data={"name": "Livrare mere"})
    MailAccount.objects.create(
        name="Radu",
        address="rep@firma.ro",
        owner=rep,
        imap_host="imap.firma.ro",
        imap_username="rep",
        smtp_host="smtp.firma.ro",
    )
    assert done_steps(client) == [
        "Log in to your own Clientela",
        "Add a contact",
        "Log a call: press l on a contact's page",
        "Create a deal",
        "Connect your e-mail (an administrator adds the account)",
    ]


def test_first_steps_put_away_stay_away(client):
    rep = create_user(email="rep@firma.ro", full_name="Radu Rep", password=PASSWORD)
    client.force_login(rep)
    assert "data-first-steps" in client.get("/").content.decode()
    assert client.post("/first-steps/dismiss/").status_code == 302
    assert "data-first-steps" not in client.get("/").content.decode()
    rep.refresh_from_db()
    assert rep.first_steps_dismissed_at is not None
