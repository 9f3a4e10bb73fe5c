"""A pipeline and deals with a history built at known times, shared by the deals tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.customers import services as customer_services
from clientela.deals import services
from clientela.deals.models import Stage
from clientela.users.services import create_user, role_named, team_named


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


@pytest.fixture
def people(db):
    team = team_named("Sales")
    ana = create_user(
        email="ana@firma.ro", full_name="Ana Pop", role=role_named("manager"), team=team
    )
    bob = create_user(
        email="bob@firma.ro", full_name="Bob Ionescu", role=role_named("manager"), team=team
    )
    return ana, bob


@pytest.fixture
def pipeline(people):
    return services.save_pipeline(
        actor=None,
        pipeline=None,
        name="Test pipeline",
        stages=[
            {"name": "A", "probability": 10},
            {"name": "B", "probability": 50},
            {"name": "C", "probability": 80},
        ],
    )


@pytest.fixture
def history(people, pipeline):
    """Seven deals, moved at known times (see the comments for what each one reached)."""
    ana, bob = people
    a, b, c = list(Stage.objects.filter(pipeline=pipeline))
    company = customer_services.create_company(actor=ana, data={"name": "Fabrica SRL"})

    def deal(name, owner, stage, created, amount="0", currency="RON", close=None):
        return services.create_deal(
            actor=owner,
            now=created,
            data={
                "name": name,
                "stage": stage,
                "company": company,
                "amount": amount,
                "currency": currency,
                "expected_close": close,
            },
        )

    def move(d, stage, when):
        d.refresh_from_db()
        return services.move_deal(
            actor=d.owner, deal=d, stage=stage, expected_version=d.version, now=when
        )

    def close(d, outcome, when, reason=""):
        d.refresh_from_db()
        return services.close_deal(
            actor=d.owner,
            deal=d,
            outcome=outcome,
            reason=reason,
            expected_version=d.version,
            now=when,
        )

    # d1: A → B → C → won (3 days in A, 10 in B, 2.5 in C).
    d1 = deal("D1", ana, a, at(1, 5), "9000")
    move(d1, b, at(1, 8))
    move(d1, c, at(1, 18))
    close(d1, "won", at(1, 20, 22))
    # d2: A → B → lost.
    d2 = deal("D2", ana, a, at(1, 6), "700")
    move(d2, b, at(1, 9))
    close(d2, "lost", at(1, 12), "Price")
    # d3: stays in A.
    deal("D3", ana, a, at(1, 7), "1000.00", close=datetime.date(2026, 3, 10))
    # d4: A → C, skipping B (it still counts as having reached B).
    d4 = deal("D4", ana, a, at(1, 8), "2500.50", close=datetime.date(2026, 3, 25))
    move(d4, c, at(1, 15))
    # d5: created straight in B.
    deal("D5", ana, b, at(1, 9), "3000", close=datetime.date(2026, 4, 2))
    # d6: Bob's, A → B → won from B (a won deal reached every stage).
    d6 = deal("D6", bob, a, at(1, 10), "5000")
    move(d6, b, at(1, 11))
    close(d6, "won", at(1, 25))
    # d7 and d8: created in February, outside a January period.
    d7 = deal("D7", ana, a, at(2, 3), "400")
    move(d7, b, at(2, 4))
    deal("D8", ana, b, at(2, 5), "500", currency="EUR", close=datetime.date(2026, 3, 15))
    return {"a": a, "b": b, "c": c, "d1": d1, "company": company, "amount": Decimal}
