"""List and detail pages run a fixed number of queries however many rows they show
(DESIGN rule 7). The counts are kept in tests/query_counts.json so a change shows in review."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.customers import services
from clientela.deals import services as deal_services
from clientela.orders import stock

SNAPSHOT = Path(__file__).with_name("query_counts.json")


def queries_for(client, url: str, status: int = 200) -> int:
    """Queries of one request, after a first one has filled the process's caches (content
    types): what every request but a new process's first one runs, whatever ran before."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, url
    return len(captured)


def add_contacts(user, company, start: int, count: int) -> list:
    contacts = []
    for i in range(start, start + count):
        contact = services.create_contact(
            actor=user,
            data={
                "full_name": f"Person {i:03d}",
                "company": company,
                "emails": [f"p{i}@firma.ro"],
                "phones": [f"0722 000 {i:03d}"],
                "tags": ["vip", f"batch-{i % 3}"],
            },
        )
        activity_services.log_activity(
            actor=user, record=contact, kind="call", subject=f"call {i}", duration_seconds=60
        )
        activity_services.create_task(actor=user, title=f"task {i}", assignee=user, record=contact)
        contacts.append(contact)
    return contacts


@pytest.fixture
def snapshot():
    """URL or name → its query count. A count given per database ({"sqlite": 22,
    "postgresql": 21}) differs by design. A list narrowed by a search term reads the
    record type's size first, with the matches of a small type
    (core.search._small_type_owners): in a test every type is small."""
    from django.db import connection

    counts = json.loads(SNAPSHOT.read_text())
    return {
        key: value[connection.vendor] if isinstance(value, dict) else value
        for key, value in counts.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/contacts/",
        "/contacts/?cols=name,company,email,phone,stage,owner,updated,position,source",
        "/contacts/?owner=me&sort=-updated",
        "/companies/",
        "/my-day/",
        "/search/?q=person",
        "/deals/contacts/?company=Firma%20SRL",
        "/api/v1/contacts/",
        "/api/v1/contacts/?sort=-updated&tag=vip",
        "/api/v1/companies/",
        "/api/v1/tasks/",
        "/api/v1/activities/",
    ],
)
def test_list_pages_do_not_grow_with_rows(user_client, user, url, snapshot):
    company = services.create_company(actor=user, data={"name": "Firma SRL"})
    add_contacts(user, company, 0, 2)
    few = queries_for(user_client, url)
    add_contacts(user, company, 2, 30)
    many = queries_for(user_client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["contact", "company"])
def test_detail_pages_do_not_grow_with_timeline_tasks_and_files(user_client, user, kind, snapshot):
    company = services.create_company(actor=user, data={"name": "Firma SRL"})
    contact = add_contacts(user, company, 0, 2)[0]  # two alike: the duplicate hint shows
    record = contact if kind == "contact" else company
    url = record.get_absolute_url()

    def deals_on(start: int, count: int) -> None:  # the page's deals card
        for i in range(start, start + count):
            deal_services.create_deal(
                actor=user, data={"name": f"On {i}", "company": company, "contacts": [contact]}
            )

    deals_on(0, 1)
    few = queries_for(user_client, url)
    for i in range(30):
        activity_services.log_activity(actor=user, record=contact, kind="note", body=f"note {i}")
        activity_services.create_task(actor=user, title=f"more {i}", assignee=user, record=record)
    add_contacts(user, company, 2, 5)
    deals_on(1, 7)
    many = queries_for(user_client, url)
    assert many == few
    assert many == snapshot[f"customers:{kind}-detail"], f"{kind}: {many} queries"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/tasks/team/", "/tasks/team/?overdue=1"])
def test_team_task_list_does_not_grow_with_tasks_or_people(client, make_user, url, snapshot):
    from clientela.users.services import role_named, team_named

    team = team_named("Sales Cluj")
    manager = make_user(email="sefa@firma.ro", role=role_named("manager"), team=team)
    client.force_login(manager)

    def give_tasks(start: int, count: int) -> None:
        rep = make_user(email=f"rep{start}@firma.ro", team=team)
        company = services.create_company(actor=rep, data={"name": f"Firma {start} SRL"})
        for contact in add_contacts(rep, company, start, count):
            activity_services.create_task(
                actor=manager,
                title="Late",
                assignee=rep,
                record=contact,
                due_at=timezone.now() - datetime.timedelta(days=1),
            )

    give_tasks(0, 2)
    few = queries_for(client, url)
    give_tasks(100, 30)
    many = queries_for(client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


def add_deals(user, company, start: int, count: int) -> list:
    pipeline = deal_services.ensure_pipeline()
    stages = list(pipeline.stages.all())
    contacts = add_contacts(user, company, start, 1)
    return [
        deal_services.create_deal(
            actor=user,
            data={
                "name": f"Deal {i:03d}",
                "stage": stages[i % len(stages)],
                "company": company,
                "contacts": contacts,
                "amount": f"{1000 + i}.50",
            },
        )
        for i in range(start, start + count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/deals/",
        "/deals/list/",
        "/deals/list/?status=open&owner=me&sort=-updated",
        "/deals/list/?stale=on",
        "/api/v1/deals/",
        "/api/v1/deals/?status=open&owner=me&sort=-updated",
        "/api/v1/pipelines/",
    ],
)
def test_deal_board_and_list_do_not_grow_with_deals(user_client, user, url, snapshot):
    company = services.create_company(actor=user, data={"name": "Firma SRL"})
    add_deals(user, company, 0, 2)
    few = queries_for(user_client, url)
    add_deals(user, company, 2, 40)
    many = queries_for(user_client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


@pytest.mark.django_db
def test_deal_page_does_not_grow_with_timeline_history_tasks_and_lines(user_client, user, snapshot):
    from tests.orders.conftest import build_shop

    shop = build_shop(user)
    deal = add_deals(user, shop["company"], 0, 1)[0]
    stages = list(deal.pipeline.stages.all())
    deal_services.move_deal(actor=user, deal=deal, stage=stages[1], expected_version=None)
    activity_services.log_activity(actor=user, record=deal, kind="note", body="first")
    activity_services.create_task(actor=user, title="first", assignee=user, record=deal)
    products = [shop["chair"], shop["desk"], shop["lamp"]]
    deal_services.add_deal_line(
        actor=user, deal=deal, product=products[0], quantity=1, expected_version=None
    )
    few = queries_for(user_client, deal.get_absolute_url())
    for i in range(12):
        deal.refresh_from_db()
        deal_services.move_deal(
            actor=user, deal=deal, stage=stages[(i + 1) % len(stages)], expected_version=None
        )
        deal_services.add_deal_line(
            actor=user, deal=deal, product=products[i % 3], quantity=2, expected_version=None
        )
        activity_services.log_activity(actor=user, record=deal, kind="note", body=f"note {i}")
        activity_services.create_task(actor=user, title=f"task {i}", assignee=user, record=deal)
    many = queries_for(user_client, deal.get_absolute_url())
    assert many == few
    assert many == snapshot["deals:deal-detail"], f"deal: {many} queries"


def assert_flat(client, url: str, snapshot: dict, add_rows) -> None:
    """As many queries with 2 rows as with 32 (`add_rows(count)` adds them), and as many
    as the snapshot says."""
    add_rows(2)
    few = queries_for(client, url)
    add_rows(30)
    many = queries_for(client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


def add_orders(user, shop, count: int) -> list:
    from clientela.orders import services as order_services

    return [
        order_services.create_order_for_customer(
            actor=user, customer=shop["contact"], lines=[{"product": shop["chair"], "quantity": 1}]
        )
        for _ in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/orders/", "/orders/?stage=placed", "/orders/?owner=me", "/orders/?stuck=on"]
)
def test_order_lists_do_not_grow_with_rows(user_client, user, url, snapshot):
    from clientela.orders.models import Warehouse
    from tests.orders.conftest import build_shop

    shop = build_shop(user)
    stock.receive(
        actor=None, product=shop["chair"], warehouse=Warehouse.objects.get(), quantity=100
    )
    assert_flat(user_client, url, snapshot, lambda count: add_orders(user, shop, count))


@pytest.mark.django_db
def test_order_page_does_not_grow_with_lines_invoices_and_shipments(
    user_client, user, snapshot, settings
):
    from clientela.orders import invoicing, shipping
    from clientela.orders import services as order_services
    from tests.orders.conftest import build_shop

    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    shop = build_shop(user)
    stock.receive(actor=None, product=shop["chair"], warehouse=shop["warehouse"], quantity=100)

    def order_with(lines: int):
        order = order_services.create_order_for_customer(
            actor=user,
            customer=shop["contact"],
            lines=[{"product": shop["chair"], "quantity": 2}] * lines,
        )
        invoice = invoicing.issue_invoice(actor=user, order=order)
        invoicing.record_payment(actor=user, invoice=invoice, amount="1.00")
        for line in order.lines.all():
            shipping.create_shipment(
                actor=user, order=order, carrier=shop["carrier"], quantities={line.pk: 1}
            )
        return order.get_absolute_url()

    few = queries_for(user_client, order_with(1))
    many = queries_for(user_client, order_with(12))
    assert many == few
    assert many == snapshot["orders:detail"], f"order: {many} queries"


def add_invoiced_and_shipped_orders(user, shop, count: int) -> None:
    """Orders with an invoice, a payment and a parcel each: what the API lists show."""
    from clientela.orders import invoicing, shipping

    for order in add_orders(user, shop, count):
        invoice = invoicing.issue_invoice(actor=user, order=order)
        invoicing.record_payment(actor=user, invoice=invoice, amount="1.00")
        shipment = shipping.create_shipment(
            actor=user,
            order=order,
            carrier=shop["carrier"],
            quantities={order.lines.get().pk: 1},
            tracking_number="AWB",
        )
        shipping.update_shipment(actor=user, shipment=shipment, status="in_transit")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orders/",
        "/api/v1/orders/?stage=shipped&owner=me&sort=-updated",
        "/api/v1/invoices/",
        "/api/v1/shipments/",
        "/api/v1/products/",
    ],
)
def test_order_api_lists_do_not_grow_with_rows(user_client, user, url, snapshot, settings):
    from tests.orders.conftest import build_shop

    settings.ORDERS_SHIP_BEFORE_PAYMENT = True
    shop = build_shop(user)
    stock.receive(actor=None, product=shop["chair"], warehouse=shop["warehouse"], quantity=100)
    assert_flat(
        user_client, url, snapshot, lambda count: add_invoiced_and_shipped_orders(user, shop, count)
    )


def add_tickets(user, count: int) -> list:
    from clientela.tickets import services as ticket_services

    company = services.create_company(actor=user, data={"name": "Client SRL"})
    contact = services.create_contact(
        actor=user, data={"full_name": "Client Person", "company": company}
    )
    from clientela.tickets.models import Survey

    tickets = [
        ticket_services.open_ticket(
            actor=user,
            channel="ui",
            subject=f"Question {i}",
            contact=contact,
            priority="high" if i % 2 else "normal",
            assignee=user,
        )
        for i in range(count)
    ]
    # Every other one rated by its customer: the satisfaction figures count them.
    now = timezone.now()
    Survey.objects.bulk_create(
        Survey(
            ticket=ticket,
            contact=contact,
            agent=user,
            created_at=now,
            answered_at=now,
            rating=1 + i % 5,
        )
        for i, ticket in enumerate(tickets[::2])
    )
    return tickets


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/tickets/",
        "/tickets/?status=active&priority=high",
        "/tickets/?assignee=me&q=question",
        "/api/v1/tickets/",
        "/api/v1/tickets/?status=active&assignee=me",
    ],
)
def test_ticket_lists_do_not_grow_with_rows(user_client, user, url, snapshot):
    assert_flat(user_client, url, snapshot, lambda count: add_tickets(user, count))


@pytest.mark.django_db
def test_ticket_page_does_not_grow_with_messages_notes_files_and_tasks(
    user_client, user, snapshot, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clientela.tickets import services as ticket_services

    settings.MEDIA_ROOT = tmp_path
    ticket = add_tickets(user, 1)[0]

    def messages(count: int) -> None:
        for i in range(count):
            ticket_services.reply(
                actor=user,
                ticket=ticket,
                body=f"answer {i}",
                internal=bool(i % 2),
                attachments=[SimpleUploadedFile(f"f{i}.pdf", b"%PDF x")],
            )
            activity_services.create_task(
                actor=user, title=f"task {i}", assignee=user, record=ticket
            )

    messages(1)
    few = queries_for(user_client, ticket.get_absolute_url())
    messages(20)
    many = queries_for(user_client, ticket.get_absolute_url())
    assert many == few
    assert many == snapshot["tickets:detail"], f"ticket: {many} queries"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/dashboards/",
        "/dashboards/executive/",
        "/dashboards/sales/",
        "/dashboards/support/",
        "/dashboards/marketing/",
        "/dashboards/forecast/",
        "/dashboards/people/",
    ],
)
def test_dashboards_do_not_grow_with_records(client, make_user, url, snapshot):
    """Each figure is a grouped query or two, however many contacts, deals, orders,
    activities and tickets it counts. These are a first view's counts (cold): the figures
    are remembered only between committed writes (core.remembered), and this test's own
    writes are not committed, so each request counts afresh. A second view with no write
    between runs none of the grouped queries (tests/analytics/test_remembered_figures.py)."""
    from clientela.customers.models import Contact
    from clientela.users.services import role_named
    from tests.orders.conftest import build_shop

    admin = make_user(email="admin@firma.ro", full_name="Ana", role=role_named("administrator"))
    client.force_login(admin)
    shop = build_shop(admin)

    def add_rows(count: int) -> None:
        # Numbers under 1000: the contacts' phone numbers are made of them.
        add_contacts(admin, shop["company"], 300 + Contact.objects.count(), count)
        add_deals(admin, shop["company"], 600 + Contact.objects.count(), count)
        add_orders(admin, shop, min(count, 8))  # the shop's stock
        add_tickets(admin, count)

    assert_flat(client, url, snapshot, add_rows)


def add_scripts(user, count: int) -> None:
    """Articles in two categories and canned replies, `count` of each (written by the
    system: the user's role reads them)."""
    from clientela.tickets import knowledge
    from clientela.tickets.models import ArticleCategory

    for i in range(count):
        category = ArticleCategory.objects.filter(name=f"Shelf {i % 2}").first()
        if category is None:
            category = knowledge.create_category(actor=None, name=f"Shelf {i % 2}")
        knowledge.create_article(
            actor=None,
            data={"title": f"Oven answer {i}", "body": "Oven text", "category": category},
        )
        knowledge.create_canned_reply(actor=None, data={"name": f"Reply {i}", "body": "Hello"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/kb/", "/kb/?q=oven", "/tickets/replies/", "/api/v1/articles/", "/api/v1/canned-replies/"],
)
def test_script_lists_do_not_grow_with_rows(user_client, user, url, snapshot):
    assert_flat(user_client, url, snapshot, lambda count: add_scripts(user, count))


@pytest.mark.django_db
def test_article_page_does_not_grow_with_versions_and_tickets(user_client, user, snapshot):
    from clientela.tickets import knowledge

    article = knowledge.create_article(actor=None, data={"title": "Oven", "body": "Text"})

    def versions(count: int) -> None:
        for i in range(count):
            knowledge.update_article(
                actor=None, article=article, data={"body": f"Text {i}"}, expected_version=None
            )
        for ticket in add_tickets(user, count):
            knowledge.link_article(actor=None, ticket=ticket, article=article)

    versions(1)
    few = queries_for(user_client, article.get_absolute_url())
    versions(20)
    many = queries_for(user_client, article.get_absolute_url())
    assert many == few
    assert many == snapshot["tickets:article"], f"article: {many} queries"


def add_settings_rows(key: str, start: int, count: int) -> None:
    """`count` more rows of a settings list, each with what its columns show."""
    from decimal import Decimal

    from clientela.core.models import CustomField
    from clientela.customers.models import LifecycleStage, Tag
    from clientela.orders.models import (
        Carrier,
        OrderStage,
        Price,
        PriceList,
        Product,
        Warehouse,
    )
    from clientela.tickets.models import ArticleCategory, SlaPolicy, StatusTransition

    STATUSES = ["new", "open", "waiting", "resolved", "closed"]

    warehouse = Warehouse.objects.get_or_create(name="Main", defaults={"is_default": True})[0]
    standard = PriceList.objects.get_or_create(name="Standard", defaults={"is_default": True})[0]
    for i in range(start, start + count):
        if key in {"products", "prices", "stock"}:
            product = Product.objects.create(sku=f"P-{i}", name=f"Product {i:03d}")
            Price.objects.create(price_list=standard, product=product, unit_price=Decimal(i))
            stock.receive(actor=None, product=product, warehouse=warehouse, quantity=i + 1)
        elif key == "price-lists":
            company = services.create_company(actor=None, data={"name": f"Client {i}"})
            PriceList.objects.create(name=f"List {i:03d}", company=company)
        elif key == "warehouses":
            Warehouse.objects.create(name=f"Warehouse {i:03d}")
        elif key == "carriers":
            Carrier.objects.create(name=f"Carrier {i:03d}")
        elif key == "order-stages":
            stage = OrderStage.objects.create(name=f"Stage {i:03d}", key=f"stage-{i}", position=i)
            # Each leads on to a few others: the list names them without a query each.
            stage.next_stages.add(*OrderStage.objects.exclude(pk=stage.pk).order_by("id")[:3])
        elif key == "lifecycle-stages":
            LifecycleStage.objects.create(name=f"Stage {i:03d}", key=f"stage-{i}", position=i)
        elif key == "tags":
            Tag.objects.create(name=f"tag {i:03d}")
        elif key == "sla-policies":
            SlaPolicy.objects.create(
                priority="normal",
                tier=f"tier {i:03d}",
                first_response_minutes=i + 1,
                resolution_minutes=i + 60,
            )
        elif key == "ticket-statuses":
            StatusTransition.objects.bulk_create(
                [StatusTransition(from_status=a, to_status=b) for a in STATUSES for b in STATUSES],
                ignore_conflicts=True,
            )
        elif key == "article-categories":
            ArticleCategory.objects.create(name=f"Shelf {i:03d}")
        elif key == "mail-accounts":
            from clientela.channels.models import MailAccount
            from clientela.users.services import team_named

            MailAccount.objects.create(
                name=f"Desk {i:03d}",
                address=f"desk{i}@firma.ro",
                team=team_named(f"Team {i % 3}"),
                imap_host="imap.firma.ro",
                imap_username=f"desk{i}",
                smtp_host="smtp.firma.ro",
            )
        elif key == "messengers":
            from clientela.channels.models import MessengerAccount
            from clientela.users.services import team_named

            MessengerAccount.objects.create(
                kind="telegram", name=f"Bot {i:03d}", team=team_named(f"Team {i % 3}")
            )
        elif key == "email-templates":
            from clientela.channels.models import EmailTemplate

            EmailTemplate.objects.create(name=f"Template {i:03d}", body="{{ contact.name }}")
        elif key == "custom-fields":
            CustomField.objects.create(
                record_type="contact", key=f"f{i}", label=f"Field {i}", field_type="text"
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "products",
        "price-lists",
        "prices",
        "warehouses",
        "stock",
        "carriers",
        "order-stages",
        "lifecycle-stages",
        "tags",
        "custom-fields",
        "sla-policies",
        "ticket-statuses",
        "article-categories",
        "mail-accounts",
        "messengers",
        "email-templates",
    ],
)
def test_settings_lists_do_not_grow_with_rows(client, make_user, key, snapshot):
    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    url = f"/settings/{key}/"
    add_settings_rows(key, 0, 2)
    few = queries_for(client, url)
    add_settings_rows(key, 2, 30)
    many = queries_for(client, url)
    assert many == few
    assert many == snapshot[f"core:settings-{key}"], f"{url}: {many} queries"


@pytest.mark.django_db
def test_the_seller_page_and_the_order_form_run_a_fixed_number_of_queries(
    client, make_user, snapshot
):
    from tests.orders.conftest import build_shop

    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    assert queries_for(client, "/settings/seller/") == snapshot["core:settings-seller"]
    shop = build_shop(admin)
    url = f"/orders/new/?customer=contact:{shop['contact'].pk}"
    few = queries_for(client, url)
    add_settings_rows("products", 0, 30)
    assert queries_for(client, url) == few == snapshot["orders:create"]


@pytest.mark.django_db
def test_the_customer_picker_of_a_new_order_does_not_grow_with_matches(user_client, user, snapshot):
    """ "+" → Order: the contacts and companies matching what was typed, at most ten each."""
    from tests.orders.conftest import build_shop

    shop = build_shop(user)
    url = "/orders/new/customer/?q=person"
    add_contacts(user, shop["company"], 0, 2)
    few = queries_for(user_client, url)
    add_contacts(user, shop["company"], 2, 14)
    many = queries_for(user_client, url)
    assert "Person 015" not in user_client.get(url).content.decode()  # ten shown, by name
    assert many == few == snapshot["orders:choose-customer"], f"{url}: {many} queries"


@pytest.mark.parametrize("url", ["/settings/currencies/", "/api/v1/exchange-rates/"])
def test_currency_settings_and_rates_do_not_grow_with_rates(client, make_user, url, snapshot):
    import datetime

    from clientela.core.currencies import services as currencies

    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)

    def add_rates(start: int, count: int) -> None:
        for i in range(start, start + count):
            day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i)
            currencies.save_rate(actor=admin, currency="EUR", day=day, rate=f"4.{9700 + i}")

    add_rates(0, 2)
    few = queries_for(client, url)
    add_rates(2, 40)
    many = queries_for(client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


@pytest.mark.django_db
@pytest.mark.parametrize("measure", ["sum", "median"])
def test_a_report_does_not_grow_with_records(client, make_user, measure, snapshot):
    """A report is one grouped query (two nested ones for a median) and one read of the
    exchange rates for money in other currencies, however many deals it counts; the list
    of reports one query for all of them."""
    from clientela.analytics import services as report_services
    from clientela.users.services import role_named
    from tests.orders.conftest import build_shop

    admin = make_user(email="admin@firma.ro", full_name="Ana", role=role_named("administrator"))
    client.force_login(admin)
    shop = build_shop(admin)
    report = report_services.save_report(
        actor=admin,
        report=None,
        data={
            "name": "Pipeline",
            "record_type": "deal",
            "filters": [{"field": "amount", "op": "gte", "value": 0}],
            "group_by": "stage",
            "measure": measure,
            "measure_field": "amount",
        },
    )

    def add_rows(count: int) -> None:
        add_deals(admin, shop["company"], 600 + count, count)

    url = f"/reports/{report.pk}/"
    add_rows(2)
    few = queries_for(client, url), queries_for(client, "/reports/")
    add_rows(30)
    many = queries_for(client, url), queries_for(client, "/reports/")
    assert many == few
    assert many[0] == snapshot["analytics:report"], f"report: {many[0]} queries"
    assert many[1] == snapshot["analytics:reports"], f"reports: {many[1]} queries"


@pytest.mark.django_db
def test_merge_queue_does_not_grow_with_pairs(client, make_user, snapshot):
    from clientela.dataio.models import SuspectedDuplicate

    admin = make_user(full_name="Ana Admin", administrator=True)
    client.force_login(admin)
    company = services.create_company(actor=admin, data={"name": "Firma SRL"})

    def pairs(start: int, count: int) -> None:
        people = add_contacts(admin, company, start, count * 2)
        SuspectedDuplicate.objects.bulk_create(
            SuspectedDuplicate(first_id=a.pk, second_id=b.pk)
            for a, b in zip(people[::2], people[1::2], strict=True)
        )

    pairs(0, 1)
    few = queries_for(client, "/imports/duplicates/")
    pairs(10, 8)
    many = queries_for(client, "/imports/duplicates/")
    assert many == few == snapshot["imports:duplicates"]


@pytest.mark.django_db
def test_data_health_does_not_grow_with_unverified_phones(client, make_user, snapshot):
    from clientela.customers.models import PhoneNumber

    admin = make_user(full_name="Ana Admin", administrator=True)
    client.force_login(admin)
    company = services.create_company(actor=admin, data={"name": "Firma SRL"})

    def unverified(start: int, count: int) -> None:
        people = add_contacts(admin, company, start, count)
        PhoneNumber.objects.bulk_create(
            PhoneNumber(
                contact=person, raw="0722 12", e164="072212", digits="072212", verified=False
            )
            for person in people
        )
        PhoneNumber.objects.create(
            company=company, raw="12 34", e164="1234", digits="1234", verified=False
        )

    unverified(0, 1)
    few = queries_for(client, "/imports/data-health/")
    unverified(10, 8)
    many = queries_for(client, "/imports/data-health/")
    assert many == few == snapshot["imports:data-health"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/settings/telephony/", "/imports/calls/", "/account/calendar/"])
def test_telephony_and_calendar_pages(client, make_user, url, snapshot):
    admin = make_user(email="admin@firma.ro", administrator=True)
    client.force_login(admin)
    count = queries_for(client, url)
    assert count == snapshot[url], (
        f"{url}: {count} queries; update tests/query_counts.json if meant"
    )


def add_projects(user, company, start: int, count: int) -> list:
    from clientela.projects import services as project_services

    return [
        project_services.create_project(
            actor=user,
            data={"name": f"Project {i:03d}", "client": company, "status": "active"},
        )
        for i in range(start, start + count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/projects/", "/projects/?status=active&owner=me&sort=-updated"])
def test_project_list_does_not_grow_with_projects(user_client, user, url, snapshot):
    company = services.create_company(actor=user, data={"name": "Firma SRL"})
    add_projects(user, company, 0, 2)
    few = queries_for(user_client, url)
    other = services.create_contact(actor=user, data={"full_name": "Ioana Marin"})
    add_projects(user, company, 2, 30)
    add_projects(user, other, 40, 10)
    many = queries_for(user_client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"


@pytest.mark.django_db
def test_project_page_does_not_grow_with_timeline_tasks_and_files(user_client, user, snapshot):
    company = services.create_company(actor=user, data={"name": "Firma SRL"})
    project = add_projects(user, company, 0, 1)[0]
    activity_services.log_activity(actor=user, record=project, kind="meeting", body="first")
    few = queries_for(user_client, project.get_absolute_url())
    for i in range(20):
        activity_services.log_activity(actor=user, record=project, kind="note", body=f"note {i}")
        activity_services.create_task(actor=user, title=f"task {i}", assignee=user, record=project)
    many = queries_for(user_client, project.get_absolute_url())
    assert many == few
    assert many == snapshot["projects:detail"], f"project: {many} queries"


@pytest.mark.django_db
def test_the_mail_pages_do_not_grow_with_messages(client, make_user, snapshot):
    from clientela.channels import services as channels
    from clientela.users.services import role_named

    owner = make_user(email="desk@firma.ro", full_name="Ana Desk", role=role_named("manager"))
    client.force_login(owner)
    account = channels.save_account(
        actor=None,
        instance=None,
        data={
            "name": "Desk",
            "address": "desk@firma.ro",
            "owner": owner,
            "imap_host": "imap.firma.ro",
            "imap_username": "desk",
            "imap_password": "secret",
            "smtp_host": "smtp.firma.ro",
        },
    )
    company = services.create_company(actor=owner, data={"name": "Firma SRL"})
    add_contacts(owner, company, 0, 1)

    def receive(start: int, count: int) -> None:
        for i in range(start, start + count):
            sender = "p000@firma.ro" if i % 2 else f"stranger{i}@elsewhere.example"
            channels.receive(
                account=account,
                raw=(
                    f"From: Person <{sender}>\r\nTo: desk@firma.ro\r\nSubject: Re: Offer\r\n"
                    f"Message-ID: <m{i}@firma.ro>\r\nReferences: <m0@firma.ro>\r\n\r\n"
                    f"Text {i}\r\n"
                ).encode(),
            )

    receive(0, 2)
    thread = account.messages.get(external_id="<m0@firma.ro>").conversation_id
    first = account.messages.get(external_id="<m0@firma.ro>").pk
    # A message found by the search: a redirect to its place in the conversation.
    urls = {"/mail/": 200, f"/mail/conversations/{thread}/": 200, f"/mail/messages/{first}/": 302}
    few = [queries_for(client, url, status) for url, status in urls.items()]
    receive(2, 20)
    many = [queries_for(client, url, status) for url, status in urls.items()]
    assert many == few
    names = ["channels:inbox", "channels:conversation", "channels:message"]
    assert many == [snapshot[name] for name in names], many


@pytest.mark.django_db
def test_the_unified_inbox_does_not_grow_with_conversations(client, make_user, snapshot):
    from clientela.channels import inbox
    from clientela.users.services import role_named, team_named

    team = team_named("Desk")
    owner = make_user(
        email="desk@firma.ro", full_name="Ana Desk", role=role_named("manager"), team=team
    )
    client.force_login(owner)
    bot = inbox.save_messenger(
        actor=None,
        instance=None,
        data={
            "kind": "telegram",
            "name": "Bot",
            "team": team,
            "access_token": "1:t",
            "webhook_secret": "s",
        },
    )
    company = services.create_company(actor=owner, data={"name": "Firma SRL"})
    known = add_contacts(owner, company, 0, 1)[0]
    from clientela.channels.models import ContactHandle

    ContactHandle.objects.create(channel="telegram", handle="1000", contact=known)

    def receive(start: int, count: int) -> None:
        for i in range(start, start + count):
            chat = 1000 + i
            inbox.receive(
                bot,
                {
                    "update_id": i,
                    "message": {
                        "message_id": i,
                        "from": {"id": chat, "first_name": f"Person {i}"},
                        "chat": {"id": chat, "type": "private"},
                        "date": 1796630400 + i,
                        "text": f"Question {i}",
                    },
                },
            )
            inbox.assign(
                actor=owner,
                conversation=inbox.Conversation.objects.get(external_key=str(chat)),
                assignee=owner if i % 2 else None,
            )

    receive(0, 2)
    urls = ["/inbox/", "/inbox/?channel=telegram&assignee=me"]
    few = [queries_for(client, url) for url in urls]
    receive(2, 30)
    many = [queries_for(client, url) for url in urls]
    assert many == few
    assert many == [snapshot["inbox:unified"], snapshot["inbox:unified?filtered"]], many


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["contact-create", "contact-update"])
def test_a_write_runs_a_fixed_number_of_queries(client, user, write, snapshot):
    """A contact created or edited through the API, after a first write has filled the
    process's caches: with no webhook subscription, no subscription is read."""
    from clientela.api.services import create_token

    _token, raw = create_token(actor=user, name="counts", scopes=["contacts:write"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def send(method: str, url: str, body: dict):
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json", **auth
        )
        assert response.status_code in (200, 201), response.content
        return response

    contacts = [
        send("post", "/api/v1/contacts/", {"full_name": f"Person {i}"}).json()["id"]
        for i in range(2)
    ]

    def write_one(i: int):
        if write == "contact-create":
            body = {"full_name": f"New {i}", "emails": [{"address": f"n{i}@firma.ro"}]}
            return send("post", "/api/v1/contacts/", body)
        return send("patch", f"/api/v1/contacts/{contacts[i]}", {"full_name": f"Renamed {i}"})

    write_one(0)
    with CaptureQueriesContext(connection) as captured:
        write_one(1)
    assert not any('"webhooks_subscription"' in query["sql"] for query in captured)
    count = len(captured)
    assert count == snapshot[f"write:{write}"], f"{write}: {count} queries"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["contact", "company"])
@pytest.mark.parametrize(
    "panel",
    ["people", "deals", "orders", "shipments", "order-files", "tickets", "projects", "timeline"],
)
def test_record_page_panels_do_not_grow_with_rows(user_client, user, kind, panel, snapshot):
    """The cards and the timeline a contact's or company's page loads after its first paint
    (htmx asks)."""
    from tests.orders.conftest import build_shop, shipped_order_with_file

    if panel == "people" and kind == "contact":
        pytest.skip("a company's card only")
    shop = build_shop(user)
    stock.receive(actor=None, product=shop["chair"], warehouse=shop["warehouse"], quantity=100)
    record = shop[kind]
    url = f"{record.get_absolute_url()}panels/{panel}/"

    def grow(count: int) -> None:
        add_contacts(user, shop["company"], 100 + count * 10, count)
        for _ in range(count):
            shipped_order_with_file(user, shop)
        for i in range(count):
            deal_services.create_deal(
                actor=user,
                data={"name": f"On {i}", "company": shop["company"], "contacts": [shop["contact"]]},
            )

    grow(1)
    user_client.defaults["HTTP_HX_REQUEST"] = "true"
    few = queries_for(user_client, url)
    grow(12)
    many = queries_for(user_client, url)
    assert many == few
    key = f"customers:{kind}-panel:{panel}"
    assert many == snapshot[key], f"{key}: {many} queries; update tests/query_counts.json if meant"


@pytest.mark.django_db
def test_time_entries_do_not_grow_with_entries(user_client, user, snapshot):
    from clientela.activities import timers

    url = "/api/v1/time-entries/"
    started = timezone.now() - datetime.timedelta(days=1)

    def time_tasks(start: int, count: int) -> None:
        for i in range(start, start + count):
            task = activity_services.create_task(actor=user, title=f"timed {i}", assignee=user)
            when = started + datetime.timedelta(minutes=i)
            timers.start_timer(actor=user, task=task, now=when)
        timers.stop_timer(actor=user, now=started + datetime.timedelta(minutes=start + count))

    time_tasks(0, 2)
    few = queries_for(user_client, url)
    time_tasks(2, 30)
    many = queries_for(user_client, url)
    assert many == few
    assert many == snapshot[url], f"{url}: {many} queries; update tests/query_counts.json if meant"
