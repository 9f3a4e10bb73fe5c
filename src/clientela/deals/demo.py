"""Demo deals in two pipelines, moved through their stages over the last three months, some
won and some lost, so the board, the list, the funnel and the forecast have data."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clientela.customers.models import Company
from clientela.deals import services
from clientela.deals.models import Deal, Pipeline

WHAT = [
    "Bread ovens",
    "Annual service",
    "Packaging line",
    "Warehouse extension",
    "Software licences",
    "Delivery vans",
    "Training days",
    "Spare parts",
    "Cold storage",
    "Website redesign",
]
LOST_REASONS = ["Price too high", "Went with a competitor", "No budget this year", "Timing"]


def load() -> str:
    if Deal.objects.exists():
        return "deals already there"
    rng = random.Random(88)
    now = timezone.now()
    new_business = services.ensure_pipeline()
    services.save_pipeline(
        actor=None,
        pipeline=None,
        name="Renewals",
        stages=[
            {"name": "Due soon", "probability": 40},
            {"name": "Offer sent", "probability": 70},
            {"name": "Agreed", "probability": 90},
        ],
    )
    companies = list(Company.objects.live().select_related("owner")[:12])
    made = 0
    for pipeline in [new_business, *Pipeline.objects.exclude(pk=new_business.pk)]:
        stages = list(pipeline.stages.all())
        count = 24 if pipeline == new_business else 8
        for i in range(count):
            company = companies[i % len(companies)] if companies else None
            owner = company.owner if company else None
            created = now - datetime.timedelta(days=rng.randint(5, 90), hours=rng.randint(0, 20))
            deal = services.create_deal(
                actor=owner,
                now=created,
                data={
                    "name": f"{rng.choice(WHAT)} · {company.name if company else i}",
                    "stage": stages[0],
                    "company": company,
                    "contacts": list(company.contacts.all()[:2]) if company else [],
                    "amount": f"{rng.randint(8, 400) * 250}.00",
                    "currency": "EUR" if rng.random() < 0.2 else "RON",
                    "expected_close": (now + datetime.timedelta(days=rng.randint(-10, 150))).date(),
                    "source": rng.choice(["web", "referral", "event", "campaign"]),
                },
            )
            made += 1
            when = created
            for stage in stages[1 : 1 + rng.randint(0, len(stages) - 1)]:
                when += datetime.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
                if when >= now:
                    break
                deal = services.move_deal(
                    actor=owner, deal=deal, stage=stage, expected_version=None, now=when
                )
            when += datetime.timedelta(days=rng.randint(1, 10))
            roll = rng.random()
            if when < now and roll < 0.25:
                services.close_deal(
                    actor=owner, deal=deal, outcome="won", expected_version=None, now=when
                )
            elif when < now and roll < 0.4:
                services.close_deal(
                    actor=owner,
                    deal=deal,
                    outcome="lost",
                    reason=rng.choice(LOST_REASONS),
                    expected_version=None,
                    now=when,
                )
    return f"{made} deals in 2 pipelines added"
