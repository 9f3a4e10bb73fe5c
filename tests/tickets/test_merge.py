"""Merging a duplicate ticket: the agent picks the one to keep; messages, files, tasks and
used articles move to it in one transaction, the other is closed as merged with a link,
both histories say so, and the merge can be undone."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.activities.models import Attachment
from clientela.core import audit
from clientela.customers import services as customers
from clientela.tickets import knowledge, merging, services
from clientela.tickets.models import Channel, Ticket, TicketArticle, TicketMessage
from clientela.users.services import role_named


@pytest.fixture
def agent_client(client, agents):
    client.force_login(agents[0])
    return client


@pytest.fixture
def pair(desk, agents, settings, tmp_path):
    """The same customer's question sent twice; the second with a photo and an article."""
    settings.MEDIA_ROOT = tmp_path
    contact = customers.create_contact(
        actor=None, data={"full_name": "Maria Popescu", "emails": ["maria@client.ro"]}
    )

    def open_(subject, **extra):
        return services.open_ticket(
            actor=None, channel=Channel.WEB_FORM, subject=subject, contact=contact, **extra
        )

    first = open_("The oven is cold")
    second = open_(
        "Oven still cold",
        attachments=[SimpleUploadedFile("oven.txt", b"a photo of the oven")],
    )
    services.reply(actor=agents[0], ticket=second, body="Looking into it.")
    article = knowledge.create_article(actor=agents[0], data={"title": "Ovens", "body": "Heat."})
    knowledge.link_article(actor=agents[0], ticket=second, article=article)
    return first, Ticket.objects.get(pk=second.pk)


@pytest.mark.django_db
def test_the_duplicate_moves_into_the_ticket_kept_and_is_closed(agent_client, pair):
    kept, duplicate = pair
    response = agent_client.post(
        f"/tickets/{duplicate.pk}/merge/", {"other": kept.pk, "keep": "other", "version": 2}
    )
    assert response["Location"] == kept.get_absolute_url()
    assert TicketMessage.objects.filter(ticket=duplicate).count() == 0
    assert TicketMessage.objects.filter(ticket=kept).count() == 3
    assert Attachment.objects.get(name="oven.txt").object_id == kept.pk
    assert TicketArticle.objects.get().ticket_id == kept.pk
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into_id == kept.pk
    page = agent_client.get(kept.get_absolute_url()).content.decode()
    assert "Looking into it." in page and "oven.txt" in page
    assert f"Ticket #{duplicate.pk} was merged into this one" in page
    closed = agent_client.get(duplicate.get_absolute_url()).content.decode()
    assert f"This ticket was merged into ticket #{kept.pk}" in closed
    assert audit.history(kept).first().action == "merge"
    assert audit.history(duplicate).first().action == "merged away"


@pytest.mark.django_db
def test_undo_puts_everything_back(agent_client, pair):
    kept, duplicate = pair
    merging.merge_tickets(actor=None, kept=kept, duplicate=duplicate)
    agent_client.post(f"/tickets/{kept.pk}/merge/undo/")
    duplicate.refresh_from_db()
    assert duplicate.status == "open" and duplicate.merged_into_id is None
    assert TicketMessage.objects.filter(ticket=duplicate).count() == 2
    assert TicketMessage.objects.filter(ticket=kept).count() == 1
    assert Attachment.objects.get(name="oven.txt").object_id == duplicate.pk
    assert TicketArticle.objects.get().ticket_id == duplicate.pk
    assert "Looking into it." not in agent_client.get(kept.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_merge_that_fails_halfway_leaves_both_tickets_as_they_were(agent_client, pair):
    kept, duplicate = pair
    # A stale version of the ticket kept: refused, nothing moved.
    agent_client.post(
        f"/tickets/{kept.pk}/merge/", {"other": duplicate.pk, "keep": "this", "version": 99}
    )
    assert TicketMessage.objects.filter(ticket=duplicate).count() == 2
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None and duplicate.status == "open"


@pytest.mark.django_db
def test_a_ticket_is_not_merged_with_itself_twice_or_by_whoever(pair, make_user, agents):
    kept, duplicate = pair
    with pytest.raises(Exception, match="itself"):
        merging.merge_tickets(actor=agents[0], kept=kept, duplicate=kept)
    rep = make_user(email="rep@firma.ro", role=role_named("read-only"))
    with pytest.raises(PermissionDenied):
        merging.merge_tickets(actor=rep, kept=kept, duplicate=duplicate)
    merging.merge_tickets(actor=agents[0], kept=kept, duplicate=duplicate)
    with pytest.raises(Exception, match="merged into another"):
        merging.merge_tickets(actor=agents[0], kept=kept, duplicate=duplicate)


@pytest.mark.django_db
def test_the_api_merges_with_a_clear_answer(agent_client, pair):
    kept, duplicate = pair
    missing = agent_client.post(
        f"/api/v1/tickets/{kept.pk}/merge",
        {"duplicate_id": 999999},
        content_type="application/json",
    )
    assert missing.status_code == 422
    done = agent_client.post(
        f"/api/v1/tickets/{kept.pk}/merge",
        {"duplicate_id": duplicate.pk},
        content_type="application/json",
    )
    assert done.status_code in {200, 201}, done.content
    assert agent_client.get(f"/api/v1/tickets/{duplicate.pk}").json()["merged_into_id"] == kept.pk
