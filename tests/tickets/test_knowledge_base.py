"""The knowledge base: articles by category, found by the one search (the list, the palette,
the API), versions restorable from the history, written by the roles that may; suggested
on a ticket from its words, and linked to the ticket when used there."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core import audit, record_services
from clientela.core.search import search
from clientela.customers import services as customers
from clientela.tickets import knowledge, selectors, services
from clientela.tickets.models import Article, Channel, TicketArticle, TicketMessage
from clientela.users.services import role_named


@pytest.fixture
def agent_client(client, agents):
    client.force_login(agents[0])
    return client


@pytest.fixture
def shelf(agents):
    """Two categories and three articles, written by agent 1."""
    ovens = knowledge.create_category(actor=agents[0], name="Ovens")
    billing = knowledge.create_category(actor=agents[0], name="Billing")

    def write(title, body, category):
        return knowledge.create_article(
            actor=agents[0], data={"title": title, "body": body, "category": category}
        )

    return {
        "heating": write(
            "Oven does not heat", "Check the thermostat, then the heating element.", ovens
        ),
        "door": write("Oven door will not close", "Adjust the door hinges.", ovens),
        "refund": write("Refunds", "A refund reaches the card in five days.", billing),
    }


def open_(subject, description=""):
    contact = customers.create_contact(
        actor=None, data={"full_name": "Maria Popescu", "emails": ["maria@client.ro"]}
    )
    return services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject=subject,
        description=description,
        contact=contact,
    )


@pytest.mark.django_db
def test_articles_are_found_by_the_one_search_and_the_list(agent_client, shelf, agents):
    found = [result.title for result in search(agents[0], "thermostat")]
    assert found == ["Oven does not heat"]
    palette = agent_client.get("/search/palette/?q=hinges").content.decode()
    assert "Oven door will not close" in palette
    page = agent_client.get("/kb/?q=thermostat").content.decode()
    assert "Oven does not heat" in page and "Refunds" not in page
    by_category = agent_client.get(f"/kb/?category={shelf['refund'].category_id}")
    assert "Refunds" in by_category.content.decode()
    assert "Oven door" not in by_category.content.decode()
    api = agent_client.get("/api/v1/articles/?q=refund").json()
    assert [item["title"] for item in api["items"]] == ["Refunds"]


@pytest.mark.django_db
def test_each_save_is_a_version_and_an_earlier_one_comes_back(agent_client, shelf, admin):
    article = shelf["refund"]
    response = agent_client.post(
        f"/kb/{article.pk}/edit/",
        {
            "title": "Refunds",
            "body": "A refund takes ten days.",
            "category": article.category_id,
            "version": article.version,
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "A refund takes ten days." and article.version == 2
    first = audit.history(article).get(action="create")
    record_services.restore_version(actor=admin, entry=first)
    article.refresh_from_db()
    assert article.body == "A refund reaches the card in five days."
    assert [entry.action for entry in audit.history(article)][:1] == ["restore version"]
    history = agent_client.get(f"/records/article/{article.pk}/history/")
    assert history.status_code == 200


@pytest.mark.django_db
def test_a_stale_edit_is_refused_not_lost(agent_client, shelf, agents):
    article = shelf["door"]
    knowledge.update_article(
        actor=agents[1], article=article, data={"body": "Newer"}, expected_version=1
    )
    response = agent_client.post(
        f"/kb/{article.pk}/edit/",
        {"title": "Oven door", "body": "Older", "version": 1},
    )
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.body == "Newer"


@pytest.mark.django_db
def test_only_roles_that_may_write_articles(client, shelf, make_user):
    rep = make_user(email="rep@firma.ro", role=role_named("sales-representative"))
    with pytest.raises(PermissionDenied):
        knowledge.create_article(actor=rep, data={"title": "Mine", "body": "x"})
    client.force_login(rep)
    assert client.get(f"/kb/{shelf['door'].pk}/").status_code == 200
    assert client.get(f"/kb/{shelf['door'].pk}/edit/").status_code == 403
    assert client.get("/kb/new/").status_code == 403
    assert "New article" not in client.get("/kb/").content.decode()


@pytest.mark.django_db
def test_a_ticket_suggests_articles_from_its_words_in_one_query(agent_client, shelf, agents):
    ticket = open_("My oven stopped heating", "The heating element is cold since Monday.")
    with CaptureQueriesContext(connection) as queries:
        suggested = selectors.suggested_articles(agents[0], ticket)
    assert len(queries) == 1
    assert suggested[0]["title"] == "Oven does not heat"
    assert "Refunds" not in [item["title"] for item in suggested]
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "Oven does not heat" in page


@pytest.mark.django_db
def test_an_article_inserted_into_a_reply_is_linked_to_the_ticket(agent_client, shelf):
    ticket = open_("Oven does not heat")
    article = shelf["heating"]
    box = agent_client.post(
        f"/tickets/{ticket.pk}/compose/",
        {"body": "Hello,", "article": article.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Hello,\n\nOven does not heat\n\nCheck the thermostat" in box
    assert f'name="articles" value="{article.pk}"' in box
    agent_client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Hello, check the thermostat.", "articles": [article.pk]},
    )
    assert TicketMessage.objects.filter(ticket=ticket, from_customer=False).exists()
    assert list(TicketArticle.objects.filter(ticket=ticket).values_list("article", flat=True)) == [
        article.pk
    ]
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "Used on this ticket" in page
    assert "Used on 1 ticket" in agent_client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_article_is_linked_from_the_ticket_page_and_the_api_once(agent_client, shelf):
    ticket = open_("Refund please")
    agent_client.post(f"/tickets/{ticket.pk}/articles/", {"article": shelf["refund"].pk})
    response = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/articles",
        {"article_id": shelf["refund"].pk},
        content_type="application/json",
    )
    assert response.status_code in {200, 201}, response.content
    assert TicketArticle.objects.filter(ticket=ticket).count() == 1
    assert audit.history(ticket).first().action == "link article"


@pytest.mark.django_db
def test_a_trashed_article_leaves_search_and_suggestions(agent_client, shelf, admin, agents):
    record_services.move_to_trash(actor=admin, records=[shelf["heating"]])
    assert search(agents[0], "thermostat") == []
    ticket = open_("Oven stopped heating")
    titles = [item["title"] for item in selectors.suggested_articles(agents[0], ticket)]
    assert "Oven does not heat" not in titles
    assert agent_client.get(f"/kb/{shelf['heating'].pk}/").status_code == 404
    assert Article.objects.trashed().count() == 1
