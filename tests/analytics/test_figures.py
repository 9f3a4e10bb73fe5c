"""Every dashboard figure against the history of conftest.py, counted by hand, for the
administrator (sees everything and every amount) and a representative (sees his team's
records, no amounts)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from clientela.analytics import selectors as figures
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.users.models import User
from tests.analytics.conftest import last_month


def table(chart) -> dict[str, list]:
    """The chart's rows by label, their values only; rows of nothing but zeros left out."""
    return {
        row.label: [cell.value for cell in row.cells]
        for row in chart.rows
        if any(cell.value for cell in row.cells)
    }


def months(period):
    return period.label(period.months[-2]), period.label(period.months[-1])


@pytest.mark.django_db
def test_sales_figures_for_the_administrator(world):
    ana = world["ana"]
    period = figures.period_for(ana)
    lm, tm = months(period)
    assert len(period.months) == 12

    revenue = figures.revenue(ana, period)
    assert [str(name) for name in revenue.series] == ["RON"]
    assert table(revenue) == {lm: [Decimal("1450.00")], tm: [Decimal("300.00")]}
    assert table(figures.products_sold(ana, period)) == {lm: [4], tm: [3]}
    assert table(figures.new_customers(ana, period)) == {lm: [3], tm: [1]}

    first, second = world["stages"]
    pipeline = figures.pipeline_by_stage(ana, period)
    assert [str(name) for name in pipeline.series] == ["Open deals", "RON"]
    assert table(pipeline) == {
        first.name: [2, Decimal("6000.00")],
        second.name: [1, Decimal("2000.00")],
    }

    wins = figures.win_rate(ana, period)
    assert table(wins) == {lm: [2, 1, Decimal("66.7")]}
    assert str(wins.summary) == "66.7% of the 3 deals closed in the period were won."

    cycle = figures.deal_cycle(ana, period)
    assert table(cycle) == {lm: [Decimal("12.0"), 2]}
    assert str(cycle.summary) == "A deal won in the period took 12.0 days on average."

    activities = figures.activities_by_person(ana, period)
    assert [str(name) for name in activities.series] == ["Note", "Call"]
    assert table(activities) == {"Bogdan Stan": [0, 1], "Radu Ene": [1, 2]}


@pytest.mark.django_db
def test_support_figures_for_the_administrator(world):
    ana = world["ana"]
    period = figures.period_for(ana)
    assert table(figures.tickets_by_status(ana, period)) == {
        "New": [2],
        "Open": [1],
        "Resolved": [1],
    }
    assert table(figures.sla_compliance(ana, period)) == {
        "First response": [1, 2, Decimal("33.3")],
        "Resolution": [0, 1, Decimal("0.0")],
    }


@pytest.mark.django_db
def test_a_representative_counts_only_his_teams_records_and_no_amounts(world):
    radu = world["radu"]
    period = figures.period_for(radu)
    lm, tm = months(period)

    revenue = figures.revenue(radu, period)
    assert str(revenue.title) == "Orders sold by month"
    assert [str(name) for name in revenue.series] == ["Orders"]
    assert table(revenue) == {lm: [1], tm: [1]}
    assert table(figures.products_sold(radu, period)) == {lm: [2], tm: [3]}
    assert table(figures.new_customers(radu, period)) == {lm: [2], tm: [1]}

    first, second = world["stages"]
    pipeline = figures.pipeline_by_stage(radu, period)
    assert [str(name) for name in pipeline.series] == ["Open deals"]
    assert table(pipeline) == {first.name: [1], second.name: [1]}
    assert table(figures.win_rate(radu, period)) == {lm: [1, 1, Decimal("50.0")]}
    assert table(figures.deal_cycle(radu, period)) == {lm: [Decimal("10.0"), 1]}
    # Bogdan's call is on a contact of the other team: not counted, not named.
    assert table(figures.activities_by_person(radu, period)) == {"Radu Ene": [1, 2]}

    assert table(figures.tickets_by_status(radu, period)) == {"New": [1], "Resolved": [1]}
    assert table(figures.sla_compliance(radu, period)) == {
        "First response": [1, 0, Decimal("100.0")],
        "Resolution": [0, 1, Decimal("0.0")],
    }


@pytest.mark.django_db
def test_the_personal_figures_count_only_ones_own_records(world):
    ana, radu = world["ana"], world["radu"]
    period = figures.period_for(ana)
    # Ana sees everything but owns nothing.
    assert table(figures.revenue(ana, period, mine=True)) == {}
    assert table(figures.pipeline_by_stage(ana, period, mine=True)) == {}
    assert table(figures.tickets_by_status(ana, period, mine=True)) == {}
    lm, tm = months(period)
    assert table(figures.new_customers(radu, period, mine=True)) == {lm: [2], tm: [1]}
    assert table(figures.activities_by_person(radu, period, mine=True)) == {"Radu Ene": [1, 2]}


@pytest.mark.django_db
def test_months_are_the_readers_own(world):
    """A contact added at 23:30 UTC on last month's last day was added this month in
    Bucharest (UTC+2 or +3): each reader counts it in their own month."""
    ana = world["ana"]
    last_day = last_month(1).date().replace(day=28)
    while (last_day + datetime.timedelta(days=1)).month == last_day.month:
        last_day += datetime.timedelta(days=1)
    late = datetime.datetime.combine(last_day, datetime.time(23, 30), tzinfo=datetime.UTC)
    made = customers.create_contact(actor=ana, data={"full_name": "Noapte Târzie"})
    Contact.objects.filter(pk=made.pk).update(created_at=late)

    period = figures.period_for(ana)
    lm, tm = months(period)
    assert table(figures.new_customers(ana, period)) == {lm: [4], tm: [1]}
    User.objects.filter(pk=ana.pk).update(time_zone="Europe/Bucharest")
    ana.refresh_from_db()
    period = figures.period_for(ana)
    assert str(period.zone) == "Europe/Bucharest"
    assert table(figures.new_customers(ana, period)) == {lm: [3], tm: [2]}
