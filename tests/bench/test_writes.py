"""The write benchmarks do what they say (a contact created and edited through the form
and the API, a call logged, a deal moved, an order placed), each answering as a user's
request would, and itemise what a write costs."""

from __future__ import annotations

import pytest

from bench import report, writes
from clientela.activities.models import Activity
from clientela.customers.models import Contact
from clientela.deals.models import Deal
from clientela.orders.models import Order
from clientela.users.services import role_named


@pytest.mark.django_db
def test_every_write_is_timed_and_does_its_work(make_user):
    admin = make_user(full_name="Ada Admin", role=role_named("administrator"))
    bare = {"p50_ms": 1.0, "p95_ms": 1.0}

    rows = writes.run(admin, bare, repeat=2, log=lambda line: None)

    by_name = {row["name"]: row for row in rows}
    assert list(by_name) == [name for name, *_rest in writes.WRITES]
    for row in rows:
        assert row["p95_ms"] >= row["p50_ms"] > 0 and row["queries"] > 0, row
    # Three warm-ups and two timed of each.
    assert Contact.objects.filter(full_name__startswith="Bench Person").count() == 5
    assert Contact.objects.filter(full_name__startswith="Api Person").count() == 5
    writer = Contact.objects.get(full_name="Bench Writer")
    assert writer.position == "Api buyer 30004"
    assert Activity.objects.filter(kind="call", subject__startswith="Call ").count() == 5
    assert Order.objects.filter(contact=writer).count() == 5
    assert Deal.objects.get(name="Bench deal").version > 1
    # A new contact is audited and indexed; its cost is itemised with those items' queries.
    created = by_name["write: create contact (form)"]["items"]
    assert created["audit"]["queries"] >= 1 and created["search index"]["queries"] >= 1
    assert "write: place an order" in report.writes_table(rows)
