"""The audit trail and a record's history written for people: field labels, the values
the pages show (a stage's name, a person's name, a call outcome's label), lists and
addresses as text, long text folded."""

from __future__ import annotations

import re

import pytest

from clientela.activities import services as activity_services
from clientela.customers import services as customer_services
from clientela.customers.models import LifecycleStage
from clientela.users.services import create_user, role_named
from tests import record_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return create_user(
        email="ana@firma.ro", full_name="Ana Popescu", role=role_named("administrator")
    )


@pytest.fixture
def ioana(admin):
    contact = customer_services.create_contact(
        actor=admin, data={"full_name": "Ioana Pomi", "emails": ["ioana@pomi.ro"]}
    )
    colleague = create_user(email="radu@firma.ro", full_name="Radu Ionescu")
    customer = LifecycleStage.objects.get(key="customer")
    customer_services.update_contact(
        actor=admin,
        contact=contact,
        data={
            "lifecycle_stage": customer,
            "owner": colleague,
            "marketing_consent": True,
            "emails": ["ioana@pomi.ro", {"address": "ioana@gmail.com", "kind": "home"}],
            "addresses": [{"street": "Str. Mărului 3", "city": "Cluj-Napoca", "country": "ro"}],
        },
        expected_version=None,
    )
    return contact


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_contacts_history_reads_as_the_pages_do(client, admin, ioana):
    client.force_login(admin)
    page = client.get(f"/records/contact/{ioana.pk}/history/").content.decode()
    words = text_of(page)
    for shown in (
        "Lifecycle stage",
        LifecycleStage.objects.get(key="customer").name,
        "Agrees to marketing",
        "Radu Ionescu",
        "ioana@pomi.ro (work), ioana@gmail.com (home)",
        "Str. Mărului 3, Cluj-Napoca, RO (work)",
        "Changed",
    ):
        assert shown in words, shown
    for stored in ("marketing_consent", "radu@firma.ro", "['", "{'", "address_kind", ">customer<"):
        assert stored not in page, stored


def test_the_audit_trail_shows_labels_and_a_calls_outcome_by_its_label(client, admin, ioana):
    activity_services.log_activity(
        actor=admin, record=ioana, kind="call", outcome="no_answer", body="x" * 400
    )
    client.force_login(admin)
    page = client.get("/settings/audit/").content.decode()
    words = text_of(page)
    assert "Outcome — → No answer" in words and "no_answer" not in page
    assert "Lifecycle stage" in words and "lifecycle_stage" not in page
    # The long note is folded to its start, the whole of it a click away.
    folded = re.search(r'<details class="long-value"><summary>(x+)…', page)
    assert folded and len(folded.group(1)) < 120 and "x" * 400 in page
    timeline = record_pages.shown(client, ioana.get_absolute_url())
    details = re.search(r'<p class="timeline__details muted">(.*?)</p>', timeline, re.S)
    assert details and text_of(details.group(1)).strip() == "No answer"


def history_in(client, user, record_type, pk, language="ro"):
    """The record's history page where it has one, else the audit trail of its type."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(f"/records/{record_type}/{pk}/history/")
    if page.status_code == 404:
        page = client.get("/settings/audit/", {"record_type": record_type})
    assert page.status_code == 200
    return text_of(page.content.decode())


def test_an_orders_history_names_its_stage_customer_and_products(client, admin):
    from clientela.orders import services as order_services
    from tests.orders.conftest import build_shop

    shop = build_shop(admin)
    order = order_services.create_order_for_customer(
        actor=admin, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 2}]
    )
    words = history_in(client, admin, "order", order.pk)
    for shown in ("Plasată", "Ioana Marin", "Fabrica de Mobilă SRL", "2 x Office chair"):
        assert shown in words, shown
    # Not the stage's key, nor the customer's and the product's ids.
    assert "placed" not in words
    assert f"[{shop['chair'].pk}, 2" not in words and f"{shop['chair'].pk}, 2, 450" not in words


def test_a_deals_history_names_its_seeded_pipeline_and_stage_in_the_readers_language(client, admin):
    from clientela.deals import services as deal_services

    deal = deal_services.create_deal(actor=admin, data={"name": "Mobilier birou"})
    stage_name = deal.stage.name  # stored in English, as the migrations seeded it
    words = history_in(client, admin, "deal", deal.pk, language="es")
    assert deal.stage.label != stage_name
    assert deal.stage.label in words and deal.pipeline.label in words
    assert "Estado — → Abierta" in words  # the status, not the button's "Abrir"


def test_a_contacts_seeded_stage_and_a_tickets_language_read_in_words(client, admin, ioana):
    from clientela.tickets import services as ticket_services

    words = history_in(client, admin, "contact", ioana.pk, language="es")
    assert LifecycleStage.objects.get(key="customer").label in words
    ticket = ticket_services.open_ticket(
        actor=admin, channel="ui", subject="Scaun rupt", contact=ioana, language="ro"
    )
    words = history_in(client, admin, "ticket", ticket.pk, language="en")
    assert "Romanian" in words or "Română" in words


def test_records_kept_by_id_are_named_in_one_query_per_page(client, admin):
    """The audit trail names every invoice's order with one query for the page, not one
    per entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientela.orders import invoicing
    from clientela.orders import services as order_services
    from tests.orders.conftest import build_shop

    shop = build_shop(admin)

    def invoiced(count):
        for _ in range(count):
            order = order_services.create_order_for_customer(
                actor=admin,
                customer=shop["contact"],
                lines=[{"product": shop["chair"], "quantity": 1}],
            )
            invoicing.issue_invoice(actor=admin, order=order)
        return order

    client.force_login(admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/settings/audit/", {"record_type": "invoice"})
        return len(captured), text_of(page.content.decode())

    invoiced(1)
    few, _words = queries()
    last = invoiced(4)
    many, words = queries()
    assert many == few
    assert f"Order #{last.pk}" in words


def test_an_orders_stages_and_lines_are_named_in_one_query_per_page(client, admin):
    """Each order's lines name their products and its stage its label: read once for the
    audit trail's page, not once per entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientela.orders import services as order_services
    from tests.orders.conftest import build_shop

    shop = build_shop(admin)
    quantities = iter(range(1, 50))

    def ordered(count):
        for _ in range(count):
            order_services.create_order_for_customer(
                actor=admin,
                customer=shop["contact"],
                lines=[{"product": shop["lamp"], "quantity": next(quantities)}],
            )

    client.force_login(admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/settings/audit/", {"record_type": "order"})
        return len(captured), text_of(page.content.decode())

    ordered(1)
    few, _words = queries()
    ordered(4)
    many, words = queries()
    assert many == few
    assert "5 x Desk lamp" in words and "1 x Desk lamp" in words
