"""Records presented to a user: what a role without "see_sensitive" is given has its
sensitive fields None, through every relation a template can follow, and a template can
neither reach the record inside nor print None as anything but the mark of a hidden value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError

from clientela.core import presenting
from clientela.core.permissions import HIDDEN
from clientela.deals import services as deal_services
from clientela.orders import invoicing
from clientela.orders import services as order_services
from clientela.users.services import create_user, role_named, team_named
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    team = team_named("Sales")
    manager = create_user(email="boss@firma.ro", role=role_named("manager"), team=team)
    rep = create_user(email="rep@firma.ro", role=role_named("sales-representative"), team=team)
    shop = build_shop(manager)
    order = order_services.create_order_for_customer(
        actor=manager, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 2}]
    )
    invoice = invoicing.issue_invoice(actor=manager, order=order)
    invoicing.record_payment(actor=manager, invoice=invoice, amount=Decimal("100.00"))
    deal = deal_services.create_deal(
        actor=manager,
        data={"name": "Scaune", "company": shop["company"], "custom": {}},
    )
    deal = deal_services.add_deal_line(
        actor=manager, deal=deal, product=shop["chair"], quantity=3, expected_version=None
    )
    return {"manager": manager, "rep": rep, "order": order, "invoice": invoice, "deal": deal}


def test_who_sees_everything_is_given_the_record_itself(world):
    order = world["order"]
    assert presenting.present(world["manager"], order) is order
    assert presenting.present(None, order) is order  # the system: jobs, exports of record
    assert presenting.present(world["rep"], None) is None


def test_sensitive_fields_read_none_and_the_rest_as_the_record_has_them(world):
    order, rep = world["order"], world["rep"]
    shown = presenting.present(rep, order)
    assert (shown.total, shown.net_total, shown.tax_total) == (None, None, None)
    assert (shown.pk, shown.currency, str(shown)) == (order.pk, "RON", str(order))
    assert shown.get_absolute_url() == order.get_absolute_url()
    assert shown == order and shown == presenting.present(rep, order)
    assert order.total == Decimal("1071.00")  # the record itself is left as it was


def test_what_a_presented_record_leads_to_is_presented_too(world):
    rep, invoice = world["rep"], world["invoice"]
    order = presenting.present(rep, world["order"])
    (line,) = order.lines.all()  # an order's lines, declared sensitive as a whole
    assert (line.description, line.quantity) == ("Office chair", 2)
    assert (line.unit_price, line.net, line.tax) == (None, None, None)
    assert [line.quantity for line in order.lines] == [2] and order.lines.count() == 1
    assert order.customer.full_name == "Ioana Marin"  # a record its type hides nothing of
    shown = presenting.present(rep, invoice)
    assert shown.total is None and shown.pdf_url is None
    assert shown.order.total is None  # back up to the order: still hidden
    assert [payment.amount for payment in shown.payments.all()] == [None]
    deal = presenting.present(rep, world["deal"])
    assert deal.amount is None
    assert [(line.quantity, line.unit_price, line.net) for line in deal.lines.all()] == [
        (3, None, None)
    ]


def test_custom_values_are_only_those_the_caller_lets_through(world):
    deal = world["deal"]
    deal.custom = {"segment": "retail", "credit_limit": "50000"}
    assert presenting.present(world["rep"], deal, custom=["segment"]).custom == {
        "segment": "retail"
    }
    assert presenting.present(world["rep"], deal).custom == {}
    assert presenting.present(world["manager"], deal).custom == deal.custom


def test_values_drawn_from_a_sensitive_field(world):
    rep, manager = world["rep"], world["manager"]
    assert presenting.hides(rep, "deal", "amount") and not presenting.hides(rep, "deal", "name")
    assert not presenting.hides(manager, "deal", "amount")
    sums = {"RON": Decimal("10.00")}
    assert presenting.shown(rep, "deal", "amount", sums) is None
    assert presenting.shown(manager, "deal", "amount", sums) is sums


def test_a_template_cannot_reach_the_record_inside(world):
    shown = presenting.present(world["rep"], world["order"])
    for source in ("{{ order._record.total }}", "{{ order._user }}"):
        with pytest.raises(TemplateSyntaxError):
            Template(source)
    rendered = Template("{{ order.total }}|{{ order.lines.all.0.unit_price }}|{{ order }}")
    assert rendered.render(Context({"order": shown})) == f"None|None|{world['order']}"


def test_the_template_helpers_print_the_mark_for_a_hidden_value():
    template = Template(
        "{% load ui %}{% money amount currency %}|{{ amount|masked:currency }}|"
        "{{ amount|masked }}|{{ rate|percent }}|{% money sums %}"
    )

    def render(**values):
        return template.render(Context({"currency": "RON", **values}))

    assert render(amount=None, rate=None, sums=None) == "|".join([HIDDEN] * 5)
    assert render(amount=Decimal("12345.60"), rate=Decimal("7.50"), sums={}) == (
        "12,345.60 RON|12,345.60 RON|12345.60|7.50%|—"
    )


def test_a_relation_is_presented_once_and_the_role_asked_once(world, monkeypatch):
    from clientela.core import permissions

    rep, invoice = world["rep"], world["invoice"]
    rows = presenting.present_all(rep, [invoice, invoice])
    asked = []
    real = permissions.sees_sensitive
    monkeypatch.setattr(
        permissions, "sees_sensitive", lambda user: asked.append(user) or real(user)
    )
    shown = rows[0]
    assert shown.order is shown.order  # read three times in a list row, presented once
    assert shown.order.total is None and shown.order.customer.full_name == "Ioana Marin"
    assert rows[1].order.total is None
    assert asked == []  # the role was asked by present_all, not on each read
    fresh = type(world["order"]).objects.get(pk=world["order"].pk)
    invoice.order = fresh  # the relation changed under the presented record: read anew
    assert presenting.underlying(shown.order) is fresh and shown.order.total is None
