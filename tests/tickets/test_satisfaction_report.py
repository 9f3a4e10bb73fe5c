"""The satisfaction report per agent, per queue and per period, against figures worked
out by hand: a survey after an order's delivery rates the delivery, not an agent's or a
queue's help, so it stands on a line of its own and counts in no one's average."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.analytics import satisfaction
from clientela.analytics import selectors as figures
from clientela.customers import services as customers
from clientela.orders import services as orders
from clientela.orders.models import Order, Warehouse
from clientela.tickets import selectors, services, surveys
from clientela.tickets.models import Channel, Survey

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=5 * 365)


def shipped_order(contact):
    warehouse, _new = Warehouse.objects.get_or_create(name="Main", defaults={"is_default": True})
    return Order.objects.create(
        contact=contact,
        stage=orders.stage("shipped"),
        stage_changed_at=timezone.now(),
        currency="RON",
        warehouse=warehouse,
    )


def rated_ticket(n, agent, department, rating, *, answered_at=None):
    ticket = services.open_ticket(
        actor=None,
        channel=Channel.WEB_FORM,
        subject=f"Question {n}",
        email=f"customer{n}@client.ro",
        department=department,
        assignee=agent,
    )
    services.change_status(actor=agent, ticket=ticket, to="resolved", expected_version=None)
    survey = surveys.answer(Survey.objects.get(ticket=ticket), rating=rating)
    if answered_at is not None:
        Survey.objects.filter(pk=survey.pk).update(answered_at=answered_at)


def rated_delivery(n, rating, *, answered_at=None):
    contact = customers.create_contact(
        actor=None, data={"full_name": f"Buyer {n}", "emails": [f"buyer{n}@client.ro"]}
    )
    order = shipped_order(contact)
    orders.move_order(actor=None, order=order, to="delivered")
    survey = surveys.answer(Survey.objects.get(order=order), rating=rating)
    if answered_at is not None:
        Survey.objects.filter(pk=survey.pk).update(answered_at=answered_at)


@pytest.fixture
def answers(desk, agents):
    """In the period: agent 1 in Support 5 and 4, agent 2 in Support 3, agent 3 in
    Billing 2, deliveries 1 and 2. Five years ago: agent 2 in Support 1, a delivery 5.
    One delivery asked and never answered."""
    support, billing = desk["support"], desk["billing"]
    rated_ticket(1, agents[0], support, 5)
    rated_ticket(2, agents[0], support, 4)
    rated_ticket(3, agents[1], support, 3)
    rated_ticket(4, agents[2], billing, 2)
    rated_ticket(5, agents[1], support, 1, answered_at=LONG_AGO)
    rated_delivery(1, 1)
    rated_delivery(2, 2)
    rated_delivery(3, 5, answered_at=LONG_AGO)
    contact = customers.create_contact(
        actor=None, data={"full_name": "Silent", "emails": ["silent@client.ro"]}
    )
    orders.move_order(actor=None, order=shipped_order(contact), to="delivered")
    assert Survey.objects.filter(answered_at__isnull=True).count() == 1


def table(chart):
    return [(row.label, row.cells[0].value, row.cells[1].value) for row in chart.rows]


def test_per_agent_the_deliveries_stand_on_their_own_line_outside_the_summary(
    admin, answers, agents
):
    chart = satisfaction.by_agent(admin, figures.period_for(admin))
    assert table(chart) == [
        ("Agent 1", Decimal("4.5"), 2),  # (5 + 4) / 2
        ("Agent 2", Decimal("3.0"), 1),  # the 1 of five years ago is outside the period
        ("Agent 3", Decimal("2.0"), 1),
        ("Order deliveries", Decimal("1.5"), 2),  # (1 + 2) / 2; the unanswered one is not
    ]
    # The help's rating: (5 + 4 + 3 + 2) / 4, the deliveries left out.
    assert chart.summary == "3.5 out of 5 from 4 answers"
    assert chart.rows[-1].cells[1].url == ""  # no agent's tickets to open
    # Each agent's own figures: their answers, no one's deliveries.
    mine = satisfaction.by_agent(agents[0], figures.period_for(agents[0]), mine=True)
    assert table(mine) == [("Agent 1", Decimal("4.5"), 2)]


def test_per_queue_the_deliveries_stand_on_their_own_line(admin, answers, desk):
    chart = satisfaction.by_queue(admin, figures.period_for(admin))
    assert table(chart) == [
        ("Support", Decimal("4.0"), 3),  # (5 + 4 + 3) / 3
        ("Billing", Decimal("2.0"), 1),
        ("Order deliveries", Decimal("1.5"), 2),
    ]
    assert chart.summary == "3.5 out of 5 from 4 answers"
    assert f"department={desk['support'].pk}" in chart.rows[0].cells[1].url


def test_per_period_only_the_answers_given_in_it_count(admin, answers, agents):
    around = (LONG_AGO - datetime.timedelta(days=1), LONG_AGO + datetime.timedelta(days=1))
    rows = selectors.satisfaction_by(admin, "department", *around)
    assert [(r["department__name"], r["delivery"], r["average"], r["count"]) for r in rows] == [
        ("Support", False, 1.0, 1),
        (None, True, 5.0, 1),
    ]
    # The people page's span (from and to): agent 2's answer of then, no delivery.
    (then,) = [r for r in selectors.satisfaction_by(admin, "agent", *around) if not r["delivery"]]
    assert (then["agent_id"], then["average"], then["count"]) == (agents[1].pk, 1.0, 1)


def test_deliveries_are_shown_only_to_who_may_see_the_orders(answers, agents):
    from clientela.core import permissions

    agent = agents[0]
    rows = satisfaction.by_agent(agent, figures.period_for(agent)).rows
    sees_orders = permissions.scope(agent, "order") != permissions.NONE
    assert ("Order deliveries" in [row.label for row in rows]) is sees_orders
