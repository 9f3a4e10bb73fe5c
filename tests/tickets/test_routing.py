"""Routing rules place new tickets in the expected queues, in order, and each queue
assigns them its own way among its active members."""

from __future__ import annotations

import pytest

from clientela.customers import services as customers
from clientela.tickets import configuration, services
from clientela.tickets.models import Channel, RoutingRule


def rule(desk, department, position, **conditions):
    return configuration.save_rule(
        actor=None,
        rule=None,
        name=f"to {department}",
        department=desk[department],
        position=position,
        **conditions,
    )


def open_(subject, description="", **extra):
    extra.setdefault("email", "client@example.com")
    return services.open_ticket(
        actor=None,
        channel=extra.pop("channel", Channel.WEB_FORM),
        subject=subject,
        description=description,
        **extra,
    )


@pytest.mark.django_db
def test_rules_place_tickets_in_the_expected_queues(desk):
    rule(desk, "billing", 10, keywords="invoice, refund, factură")
    rule(desk, "romanian", 20, language="ro")
    vip = customers.create_contact(
        actor=None, data={"full_name": "Ioana VIP", "emails": ["ioana@vip.ro"], "tags": ["Gold"]}
    )
    rule(desk, "billing", 30, customer_tag="gold", channel=Channel.API)

    assert open_("Invoice 12 is wrong").department == desk["billing"]
    # Accents and case do not matter; the text counts as well as the subject.
    assert open_("Problem", "Vreau o FACTURĂ nouă").department == desk["billing"]
    assert open_("Ajutor", language="ro").department == desk["romanian"]
    # Both conditions of a rule must hold: a gold customer through the API only.
    assert open_("Hello", contact=vip, channel=Channel.API).department == desk["billing"]
    assert open_("Hello", contact=vip).department == desk["support"]
    # Nothing matches: the first department.
    assert open_("The oven is cold").department == desk["support"]


@pytest.mark.django_db
def test_the_first_matching_rule_wins_and_inactive_rules_are_skipped(desk):
    first = rule(desk, "romanian", 5, keywords="refund")
    rule(desk, "billing", 10, keywords="refund")
    assert open_("Refund please").department == desk["romanian"]
    RoutingRule.objects.filter(pk=first.pk).update(active=False)
    assert open_("Refund please").department == desk["billing"]


@pytest.mark.django_db
def test_round_robin_takes_turns_among_active_members(desk, agents):
    owners = [open_(f"Question {i}").owner for i in range(4)]
    assert owners == [agents[0], agents[1], agents[0], agents[1]]
    agents[1].is_active = False
    agents[1].save()
    assert {open_("More").owner for _ in range(2)} == {agents[0]}


@pytest.mark.django_db
def test_least_loaded_gives_the_ticket_to_whoever_has_fewest_open(desk, agents):
    support = desk["support"]
    configuration.save_department(
        actor=None,
        department=support,
        name=support.name,
        lead=None,
        members=agents,
        assignment="least_loaded",
        time_zone="UTC",
        hours=support.hours,
        holidays=[],
    )
    for _ in range(2):
        open_("Busy", assignee=agents[0])
    open_("Busy", assignee=agents[1])
    assert open_("Next").owner == agents[2]
    assert open_("Next").owner in {agents[1], agents[2]}


@pytest.mark.django_db
def test_a_department_with_no_one_leaves_the_ticket_unassigned(agents):
    empty = configuration.save_department(
        actor=None,
        department=None,
        name="Nobody",
        lead=None,
        members=[],
        assignment="round_robin",
        time_zone="UTC",
        hours={},
        holidays=[],
    )
    ticket = open_("Hello", department=empty)
    assert ticket.department == empty and ticket.owner is None


@pytest.mark.django_db
def test_a_new_installation_routes_to_a_support_department_of_the_support_team(agents):
    ticket = open_("First ever")
    assert ticket.department.name == "Support"
    assert ticket.owner in agents


def order_for(contact, stage_key: str):
    from django.utils import timezone

    from clientela.orders import services as orders
    from clientela.orders.models import Order, Warehouse

    warehouse = Warehouse.objects.first() or Warehouse.objects.create(name="Main", is_default=True)
    return Order.objects.create(
        contact=contact,
        stage=orders.stage(stage_key),
        stage_changed_at=timezone.now(),
        currency="RON",
        warehouse=warehouse,
    )


@pytest.mark.django_db
def test_the_order_status_routes_a_ticket(desk):
    rule(desk, "billing", 10, order_stage="shipped")
    maria = customers.create_contact(
        actor=None, data={"full_name": "Maria", "emails": ["maria@client.ro"]}
    )
    # No order yet: no match.
    assert open_("Where is it?", contact=maria).department == desk["support"]
    order_for(maria, "placed")
    assert open_("Where is it?", contact=maria).department == desk["support"]
    # Her latest order was shipped: routed by it, found through her e-mail address too.
    shipped = order_for(maria, "shipped")
    assert open_("Where is it?", contact=maria).department == desk["billing"]
    assert open_("Where is it?", email="maria@client.ro").department == desk["billing"]
    # A ticket linked to an order is routed by that order, not by the latest one.
    delivered = order_for(maria, "delivered")
    assert open_("Broken", contact=maria).department == desk["support"]
    assert open_("Broken", contact=maria, order=shipped).department == desk["billing"]
    assert open_("Broken", contact=maria, order=delivered).department == desk["support"]


@pytest.mark.django_db
def test_a_rule_with_an_unknown_order_status_is_refused(desk):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown order status"):
        rule(desk, "billing", 10, order_stage="teleported")
