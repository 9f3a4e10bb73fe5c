"""A small sales and support history whose every dashboard figure is counted by hand in
the tests: two representatives in two teams (Radu in Nord, Bogdan in Sud) and an
administrator, Ana, in no team. Times are last month's 15th (LM) or just now (TM)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.activities.models import Task
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.deals import services as deal_services
from clientela.deals.models import Deal
from clientela.orders import services as order_services
from clientela.orders import stock
from clientela.orders.models import Order, Price, PriceList, Product, Warehouse
from clientela.tickets import services as ticket_services
from clientela.tickets.models import Ticket
from clientela.users.services import create_user, role_named, team_named

PASSWORD = "Corect-cal-baterie-9"


def last_month(day: int, hour: int = 12) -> datetime.datetime:
    first = timezone.now().astimezone(datetime.UTC).date().replace(day=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=day)
    return datetime.datetime.combine(previous, datetime.time(hour), tzinfo=datetime.UTC)


def two_reps() -> tuple:
    """Radu (team Nord) and Bogdan (team Sud), sales representatives: each sees his own."""
    rep = role_named("sales-representative")
    radu = create_user(
        email="radu@firma.ro",
        full_name="Radu Ene",
        password=PASSWORD,
        role=rep,
        team=team_named("Nord"),
    )
    bogdan = create_user(
        email="bogdan@firma.ro",
        full_name="Bogdan Stan",
        password=PASSWORD,
        role=rep,
        team=team_named("Sud"),
    )
    return radu, bogdan


def build_world() -> dict:
    ana = create_user(
        email="ana@firma.ro", full_name="Ana Popescu", password=PASSWORD, administrator=True
    )
    radu, bogdan = two_reps()
    now = timezone.now()
    lm = last_month(15)

    def contact(owner, name, created):
        made = customers.create_contact(actor=owner, data={"full_name": name})
        Contact.objects.filter(pk=made.pk).update(created_at=created)
        return made

    # New customers: Radu 2 last month and 1 this month; Bogdan 1 last month.
    r1 = contact(radu, "Irina Radu", lm)
    contact(radu, "Mihai Radu", last_month(3))
    contact(radu, "Elena Acum", now)
    b1 = contact(bogdan, "Dan Sud", lm)

    # Orders, no tax so totals are the lines: Radu sold 900.00 (2 chairs) last month and
    # 300.00 (3 lamps) this month; a cancelled order and a quote of his do not count;
    # Bogdan sold 550.00 (a chair and a lamp) last month.
    warehouse = Warehouse.objects.create(name="Cluj", is_default=True)
    prices = PriceList.objects.create(name="Standard", currency="RON", is_default=True)
    chair = Product.objects.create(sku="CH-1", name="Chair", tax_rate=Decimal("0"))
    lamp = Product.objects.create(sku="LM-1", name="Lamp", tax_rate=Decimal("0"))
    Price.objects.create(price_list=prices, product=chair, unit_price=Decimal("450.00"))
    Price.objects.create(price_list=prices, product=lamp, unit_price=Decimal("100.00"))
    for product in (chair, lamp):
        stock.receive(actor=None, product=product, warehouse=warehouse, quantity=20)

    def order(owner, customer, lines, placed, *, quote=False):
        made = order_services.create_order_for_customer(
            actor=owner,
            customer=customer,
            lines=[{"product": p, "quantity": q} for p, q in lines],
            quote=quote,
        )
        if placed is not None:
            Order.objects.filter(pk=made.pk).update(placed_at=placed)
        return Order.objects.get(pk=made.pk)

    o1 = order(radu, r1, [(chair, 2)], lm)
    order(radu, r1, [(lamp, 3)], now)
    cancelled = order(radu, r1, [(chair, 1)], lm)
    order_services.move_order(actor=radu, order=cancelled, to="cancelled")
    order(radu, r1, [(lamp, 1)], None, quote=True)
    order(bogdan, b1, [(chair, 1), (lamp, 1)], lm)

    # Deals: open Radu 1,000 in the first stage and 2,000 in the second, Bogdan 5,000 in
    # the first; last month Radu won one in 10 days and lost one, Bogdan won one in 14.
    pipeline = deal_services.ensure_pipeline()
    first, second = list(pipeline.stages.all())[:2]

    def deal(owner, name, stage, amount, created=None):
        # Entered by Ana: a representative's role may not set amounts (they stay 0).
        return deal_services.create_deal(
            actor=ana,
            data={"name": name, "stage": stage, "amount": amount, "contacts": [], "owner": owner},
            now=created,
        )

    deal(radu, "Scaune Nord", first, "1000")
    deal(radu, "Birouri Nord", second, "2000")
    deal(bogdan, "Mese Sud", first, "5000")
    won = deal(radu, "Lămpi câștigate", first, "700", created=last_month(5))
    lost = deal(radu, "Lămpi pierdute", first, "800", created=last_month(5))
    won_south = deal(bogdan, "Rafturi Sud", first, "900", created=last_month(1))
    for item, outcome, owner in (
        (won, "won", radu),
        (lost, "lost", radu),
        (won_south, "won", bogdan),
    ):
        deal_services.close_deal(
            actor=owner,
            deal=item,
            outcome=outcome,
            reason="Price" if outcome == "lost" else "",
            expected_version=None,
            now=lm,
        )

    # Activities this month: Radu two calls and a note on his contact, Bogdan a call on his.
    for kind in ("call", "call", "note"):
        activity_services.log_activity(actor=radu, record=r1, kind=kind, subject=kind, body=kind)
    activity_services.log_activity(actor=bogdan, record=b1, kind="call", subject="call")

    # Tickets: Radu's new one inside its deadlines, and a resolved one opened an hour before
    # its first answer (in time), resolved late five hours after that; Bogdan's open one
    # answered late, three hours after it was opened, and a new one unanswered past its
    # first-response deadline. Each opened before it was answered.
    hour = datetime.timedelta(hours=1)

    def ticket(owner, subject, customer, status, **times):
        made = ticket_services.open_ticket(
            actor=ana, channel="ui", subject=subject, contact=customer
        )
        Ticket.objects.filter(pk=made.pk).update(owner=owner, status=status, **times)
        return made

    ticket(
        radu, "Nu merge", r1, "new", first_response_due=now + hour, resolution_due=now + 9 * hour
    )
    ticket(
        radu,
        "Factură",
        r1,
        "resolved",
        created_at=lm - hour,
        first_response_due=lm + hour,
        first_responded_at=lm,
        resolution_due=lm + 2 * hour,
        resolved_at=lm + 5 * hour,
    )
    ticket(
        bogdan,
        "Livrare",
        b1,
        "open",
        created_at=lm,
        first_response_due=lm + hour,
        first_responded_at=lm + 3 * hour,
        resolution_due=now + hour,
    )
    ticket(bogdan, "Garanție", b1, "new", first_response_due=now - hour, resolution_due=now + hour)
    assert Deal.objects.count() == 6 and o1.total == Decimal("900.00")
    return {
        "ana": ana,
        "radu": radu,
        "bogdan": bogdan,
        "pipeline": pipeline,
        "stages": (first, second),
    }


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def team(world):
    """Maria leads Nord (Radu's team). Radu finished two tasks: one without a due time
    (on time), one a day after it was due (late)."""
    world["maria"] = create_user(
        email="maria@firma.ro",
        full_name="Maria Pop",
        password=PASSWORD,
        role=role_named("manager"),
        team=team_named("Nord"),
    )
    radu = world["radu"]
    now = timezone.now()
    free = activity_services.create_task(actor=radu, title="Sună", assignee=radu)
    late = activity_services.create_task(actor=radu, title="Ofertă", assignee=radu)
    Task.objects.filter(pk=free.pk).update(done_at=now)
    Task.objects.filter(pk=late.pk).update(
        due_at=now - datetime.timedelta(days=2), done_at=now - datetime.timedelta(days=1)
    )
    return world
