"""The bench generator writes every column the models ask for: a column added by a
migration without a value in the generator breaks `make bench` (and the load test) on
both databases, which nothing else in the suite would notice."""

from __future__ import annotations

import pytest

from bench import dashboards, report
from bench.generate import ADMIN_EMAIL, Plan, generate
from bench.requests import context
from clientela.activities.models import Activity
from clientela.customers.models import Company, Contact
from clientela.tickets.models import Ticket
from clientela.users.models import User


@pytest.mark.django_db(transaction=True)
def test_a_small_bench_database_is_generated_whole(client):
    plan = Plan(contacts=300, companies=30, activities=1200, seed=10, tickets=40, projects=10)
    generate(plan, lambda line: None)

    assert Contact.objects.count() == 300
    assert Company.objects.count() == 30
    assert Activity.objects.count() == 1200
    assert Ticket.objects.count() == 40
    # The records are whole: their pages open and their timelines show the entries.
    client.force_login(User.objects.get(email=ADMIN_EMAIL))
    contact = Contact.objects.get(pk=1)
    page = client.get(f"/contacts/{contact.pk}/")
    assert page.status_code == 200
    assert contact.given_name in page.content.decode()
    assert "Talked about order 1;" in page.content.decode()
    company = client.get(f"/companies/{contact.company_id}/")
    assert company.status_code == 200
    # The forecast page opens on it, and its back-test is reported beside the timings.
    assert client.get("/dashboards/forecast/").status_code == 200
    backtest = dashboards.backtest(context())
    lines = report.backtest_lines(backtest)
    assert [line.split(":")[0] for line in lines] == [
        "forecast back-test, revenue",
        "forecast back-test, new customers",
    ]
