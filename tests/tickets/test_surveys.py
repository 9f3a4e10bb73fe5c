"""Satisfaction surveys: sent once when a ticket is resolved, in the customer's language,
through a signed link that answers once and refuses a changed or expired link; the
rating shows on the ticket, the customer and the report per agent."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.analytics import satisfaction
from clientela.analytics import selectors as figures
from clientela.core import audit
from clientela.customers import services as customers
from clientela.tickets import services, surveys
from clientela.tickets.models import Channel, Survey, TicketStatus
from tests.record_pages import shown


def resolved_ticket(agent, *, language: str = "", email: str = "maria@client.ro"):
    contact = customers.create_contact(
        actor=None,
        data={"full_name": "Maria Client", "emails": [email], "language": language},
    )
    ticket = services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject="The oven is cold",
        contact=contact,
        assignee=agent,
    )
    services.reply(actor=agent, ticket=ticket, body="Fixed: try again.", status="resolved")
    ticket.refresh_from_db()
    return ticket


def link_path(survey: Survey) -> str:
    return re.sub(r"^https?://[^/]+", "", surveys.link_for(survey))


@pytest.mark.django_db
def test_resolving_a_ticket_sends_one_survey_in_the_customers_language(desk, agents, mailoutbox):
    ticket = resolved_ticket(agents[0], language="ro")
    survey = Survey.objects.get(ticket=ticket)
    assert survey.agent == agents[0] and survey.department == ticket.department
    job = DBTaskResult.objects.get(task_path="clientela.tickets.tasks.send_survey")
    assert job.args_kwargs["args"] == [survey.pk]
    assert surveys.send(survey.pk) is True
    assert surveys.send(survey.pk) is False  # a job run twice sends once
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["maria@client.ro"]
    assert f"#{ticket.pk}" in message.subject and "Cum" in message.subject  # Romanian
    token = re.search(r"http://127\.0\.0\.1:8000/survey/(\S+)/", message.body).group(1)
    assert surveys.survey_for_token(token) == survey
    # Reopened and resolved again: not asked a second time.
    services.change_status(actor=agents[0], ticket=ticket, to="open", expected_version=None)
    services.change_status(actor=agents[0], ticket=ticket, to="resolved", expected_version=None)
    assert Survey.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db
def test_a_ticket_without_a_customer_address_gets_no_survey(desk, agents):
    ticket = services.open_ticket(
        actor=None, channel=Channel.UI, subject="Walk-in", assignee=agents[0]
    )
    services.change_status(
        actor=agents[0], ticket=ticket, to=TicketStatus.RESOLVED, expected_version=None
    )
    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_the_survey_answers_once(desk, agents, client):
    survey = Survey.objects.get(ticket=resolved_ticket(agents[0]))
    url = link_path(survey)
    page = client.get(url)
    assert page.status_code == 200 and b"How did we do?" in page.content
    assert client.post(url, {"rating": "9"}).status_code == 400
    answered = client.post(url, {"rating": "4", "comment": "Quick and kind."})
    assert answered.status_code == 302
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick and kind.")
    again = client.post(url, {"rating": "1", "comment": "Changed my mind"})
    assert again.status_code == 409 and b"already answered" in again.content
    survey.refresh_from_db()
    assert survey.rating == 4
    with pytest.raises(surveys.AlreadyAnswered):
        surveys.answer(survey, rating=2)
    entry = audit.history(survey.ticket).filter(action="rate").get()
    assert entry.changes["rating"] == ["", 4]


@pytest.mark.django_db
def test_a_tampered_link_is_refused(desk, agents, client):
    survey = Survey.objects.get(ticket=resolved_ticket(agents[0]))
    token = surveys.token_for(survey)
    other = signing.dumps(survey.pk + 1, salt="another purpose", compress=True)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), other, "nonsense"):
        page = client.get(f"/survey/{bad}/")
        assert page.status_code == 400
        assert b'data-survey-refused="tampered"' in page.content
        assert client.post(f"/survey/{bad}/", {"rating": "5"}).status_code == 400
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.django_db
def test_an_expired_link_is_refused(desk, agents, client, settings, monkeypatch):
    survey = Survey.objects.get(ticket=resolved_ticket(agents[0]))
    settings.SURVEY_LINK_DAYS = 30
    sent = int(time.time()) - 31 * 24 * 3600  # the link was signed 31 days ago
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(sent))
    url = link_path(survey)
    monkeypatch.undo()
    page = client.post(url, {"rating": "5"})
    assert page.status_code == 410 and b'data-survey-refused="expired"' in page.content
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.django_db
def test_the_page_speaks_the_customers_language(desk, agents, client):
    survey = Survey.objects.get(ticket=resolved_ticket(agents[0], language="es"))
    page = client.get(link_path(survey), HTTP_ACCEPT_LANGUAGE="en")
    assert "¿Qué tal lo hicimos?" in page.content.decode()


@pytest.mark.django_db
def test_the_rating_shows_on_the_ticket_the_customer_and_the_agent_report(
    desk, agents, admin, client
):
    ticket = resolved_ticket(agents[0])
    surveys.answer(Survey.objects.get(ticket=ticket), rating=5, comment="Great")
    second = services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject="Again",
        contact=ticket.contact,
        assignee=agents[0],
    )
    services.change_status(actor=agents[0], ticket=second, to="resolved", expected_version=None)
    surveys.answer(Survey.objects.get(ticket=second), rating=2)
    client.force_login(admin)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-csat-rating="5"' in page and "Great" in page
    customer = shown(client, ticket.contact.get_absolute_url())
    assert "Satisfaction: 3.5 out of 5, from 2 answers" in customer
    chart = satisfaction.by_agent(admin, figures.period_for(admin))
    assert [(row.label, row.cells[0].value, row.cells[1].value) for row in chart.rows] == [
        ("Agent 1", 3.5, 2)
    ]
    # An agent sees only the answers on tickets they may see; the report agrees.
    assert satisfaction.by_agent(agents[2], figures.period_for(agents[2])).rows


def shipped_order(contact):
    from clientela.orders import services as orders
    from clientela.orders.models import Order, Warehouse

    return Order.objects.create(
        contact=contact,
        stage=orders.stage("shipped"),
        stage_changed_at=timezone.now(),
        currency="RON",
        warehouse=Warehouse.objects.create(name="Main", is_default=True),
    )


@pytest.mark.django_db
def test_a_delivered_order_asks_its_customer_once_and_the_rating_shows_on_their_page(
    client, admin, mailoutbox, settings
):
    from clientela.orders import services as orders

    contact = customers.create_contact(
        actor=None, data={"full_name": "Maria Client", "emails": ["maria@client.ro"]}
    )
    order = shipped_order(contact)
    orders.move_order(actor=None, order=order, to="delivered")
    survey = Survey.objects.get(order=order)
    assert survey.ticket is None and survey.contact == contact
    assert surveys.send(survey.pk) is True
    assert surveys.send(survey.pk) is False
    message = mailoutbox[0]
    assert message.to == ["maria@client.ro"] and f"#{order.pk}" in message.subject
    link = re.search(r"http://127\.0\.0\.1:8000(/survey/\S+/)", message.body).group(1)
    tampered = client.get(link[:-3] + "x/")
    assert b"data-survey-refused" in tampered.content
    assert b"order" in client.get(link).content
    client.post(link, {"rating": "4", "comment": "Came on time"})
    again = client.post(link, {"rating": "1", "comment": "changed my mind"}, follow=True)
    assert b"data-survey-again" in again.content
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Came on time")
    # On the customer's page, for those who see their orders.
    client.force_login(admin)
    page = shown(client, contact.get_absolute_url())
    assert "data-delivery-csat" in page and "4.0" in page
    # Not asked twice, and not at all when the business turned it off.
    assert surveys.start_for_order(order) is None
    settings.SURVEY_AFTER_DELIVERY = False
    Survey.objects.filter(order=order).delete()
    assert surveys.start_for_order(order) is None
