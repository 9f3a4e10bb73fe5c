"""Several currencies: a base currency chosen in the app, rates by day, and sums across
currencies converted at the rate of each document's day, never silently at 1:1."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.api import services as api_services
from clientela.core.currencies import selectors, services, sources
from clientela.core.models import AuditEntry, ExchangeRate
from clientela.core.money import format_rate
from clientela.orders import invoicing
from clientela.orders import services as order_services
from clientela.orders.models import Invoice, PriceList
from clientela.orders.tasks import fetch_exchange_rates
from clientela.users.services import role_named
from tests import record_pages
from tests.orders.conftest import build_shop

pytestmark = pytest.mark.django_db

D = Decimal
MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@firma.ro", full_name="Admin", administrator=True)


@pytest.fixture
def shop(admin):
    return build_shop(admin)


@pytest.fixture
def rates(admin):
    """RON is the base (the installation's CLIENTELA_CURRENCY); EUR on Monday and Friday."""
    services.save_rate(actor=admin, currency="EUR", day=MONDAY, rate="4.9753")
    services.save_rate(actor=admin, currency="EUR", day=MONDAY.replace(day=6), rate="4.9800")


# Conversion ----------------------------------------------------------------------------
def test_each_amount_is_converted_at_the_rate_of_its_day_and_rounded_half_up(rates):
    result = selectors.convert(
        [
            ("EUR", MONDAY, D("100.00")),  # 497.53
            ("EUR", MONDAY.replace(day=6), D("0.25")),  # 1.245 → 1.25, half up
            ("RON", MONDAY, D("10.10")),
        ]
    )
    assert result.base == "RON" and result.foreign and result.complete
    assert result.total == D("508.88")


def test_a_day_without_a_rate_takes_the_latest_of_the_week_before(rates):
    saturday, next_friday = MONDAY.replace(day=7), MONDAY.replace(day=13)
    assert selectors.convert([("EUR", saturday, D("10"))]).total == D("49.80")
    assert selectors.convert([("EUR", next_friday, D("10"))]).total == D("49.80")


def test_a_missing_rate_is_reported_and_never_counted_one_to_one(rates):
    too_late = MONDAY.replace(day=14)  # eight days after the last rate
    result = selectors.convert(
        [
            ("EUR", too_late, D("100")),
            ("USD", MONDAY, D("5")),
            ("EUR", MONDAY, D("1")),
            ("RON", MONDAY, D("3")),
        ]
    )
    assert not result.complete
    assert [(m.currency, m.day) for m in result.missing] == [("EUR", too_late), ("USD", MONDAY)]
    assert result.total == D("7.98")  # only what had a rate: 4.98 + 3; never 108 more
    before = selectors.convert([("EUR", MONDAY - datetime.timedelta(days=1), D("1"))])
    assert not before.complete  # no rate before the first one either


def test_sums_in_the_base_currency_alone_have_nothing_to_convert(rates):
    alone, mixed = selectors.convert_sums(
        [{"RON": D("12.5")}, {"RON": D("1"), "EUR": D("2")}], MONDAY
    )
    assert not alone.foreign and alone.complete and alone.total == D("12.50")
    assert mixed.foreign and mixed.total == D("10.95")  # 1 + 2 x 4.9753


# Writing rates and the base currency ---------------------------------------------------
def test_a_second_rate_for_the_same_day_replaces_the_first_and_both_are_audited(admin, rates):
    services.save_rate(actor=admin, currency="eur", day=MONDAY, rate=D("4.97"))
    assert ExchangeRate.objects.get(currency="EUR", day=MONDAY).rate == D("4.97")
    entries = AuditEntry.objects.filter(content_type__model="exchangerate", actor=admin)
    assert list(entries.order_by("id").values_list("action", flat=True)) == [
        "create",
        "create",
        "update",
    ]
    assert entries.order_by("id").last().changes["rate"] == ["4.97530000", "4.97000000"]


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("RON", "1", "currency"),
        ("XYZ", "1", "currency"),
        ("EUR", "0", "rate"),
        ("EUR", "x", "rate"),
    ],
)
def test_a_rate_that_makes_no_sense_is_refused_with_a_message(admin, currency, rate, field):
    with pytest.raises(ValidationError) as refused:
        services.save_rate(actor=admin, currency=currency, day=MONDAY, rate=rate)
    assert field in refused.value.message_dict
    assert not ExchangeRate.objects.exists()


def test_only_a_role_that_manages_settings_changes_currencies(make_user):
    rep = make_user(email="rep@firma.ro")
    with pytest.raises(PermissionDenied):
        services.save_rate(actor=rep, currency="EUR", day=MONDAY, rate="5")
    with pytest.raises(PermissionDenied):
        services.set_base_currency(actor=rep, currency="EUR")


def test_a_new_base_currency_is_audited_and_old_rates_no_longer_apply(admin, rates):
    services.set_base_currency(actor=admin, currency="eur")
    assert selectors.base_currency() == "EUR"
    entry = AuditEntry.objects.get(content_type__model="installationsetting")
    assert entry.changes == {"base_currency": ["RON", "EUR"]} and entry.actor == admin
    result = selectors.convert([("RON", MONDAY, D("100"))])
    assert result.base == "EUR" and [m.currency for m in result.missing] == ["RON"]


# The settings page ---------------------------------------------------------------------
def test_an_administrator_keeps_rates_on_the_settings_page_in_their_language(client, admin):
    admin.language = "ro"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = client.get("/settings/currencies/")
    assert page.status_code == 200
    assert "Moneda de bază" in page.content.decode()
    response = client.post(
        "/settings/currencies/rates/",
        {"rate-currency": "EUR", "rate-day": "2026-03-02", "rate-rate": "4,9753"},
    )
    assert response.status_code == 302
    assert ExchangeRate.objects.get().rate == D("4.9753")
    page = client.get("/settings/currencies/").content.decode()
    assert "4,9753" in page and "02.03.2026" in page
    refused = client.post(
        "/settings/currencies/rates/",
        {"rate-currency": "EUR", "rate-day": "2026-03-02", "rate-rate": "-1"},
    )
    assert refused.status_code == 400 and ExchangeRate.objects.get().rate == D("4.9753")
    rate = ExchangeRate.objects.get()
    client.post(f"/settings/currencies/rates/{rate.pk}/delete/")
    assert not ExchangeRate.objects.exists()
    client.post("/settings/currencies/", {"base-currency": "EUR"})
    assert selectors.base_currency() == "EUR"


def test_the_settings_page_is_for_roles_that_manage_settings(client, make_user):
    client.force_login(make_user(email="rep@firma.ro"))
    assert client.get("/settings/currencies/").status_code == 403
    response = client.post("/settings/currencies/", {"base-currency": "EUR"})
    assert response.status_code == 403 and selectors.base_currency() == "RON"


# The API -------------------------------------------------------------------------------
def test_rates_are_written_and_read_through_the_api(client, admin, make_user):
    _token, raw = api_services.create_token(
        actor=admin, name="rates", scopes=["exchange-rates:write"]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    created = client.post(
        "/api/v1/exchange-rates/",
        {"currency": "EUR", "day": "2026-03-02", "rate": "4.9753"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json() | {"id": 0} == {
        "id": 0,
        "base": "RON",
        "currency": "EUR",
        "day": "2026-03-02",
        "rate": "4.9753",
        "source": "manual",
    }
    listed = client.get("/api/v1/exchange-rates/?currency=eur", **auth).json()
    assert [item["rate"] for item in listed["items"]] == ["4.9753"]
    refused = client.post(
        "/api/v1/exchange-rates/",
        {"currency": "RON", "day": "2026-03-02", "rate": "1"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 422
    assert "RON is the base currency" in refused.content.decode()

    rep = make_user(email="rep@firma.ro", role=role_named("sales-representative"))
    _token, rep_raw = api_services.create_token(
        actor=rep, name="rates", scopes=["exchange-rates:write"]
    )
    denied = client.post(
        "/api/v1/exchange-rates/",
        {"currency": "USD", "day": "2026-03-02", "rate": "4.5"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rep_raw}",
    )
    assert denied.status_code == 403
    assert not ExchangeRate.objects.filter(currency="USD").exists()


# The customer's page: lifetime value in the base currency -------------------------------
def test_the_lifetime_value_adds_each_invoice_at_the_rate_of_its_issue_day(
    client, admin, shop, rates
):
    def invoice_on(day: datetime.date) -> Invoice:
        order = order_services.create_order_for_customer(
            actor=admin, customer=shop["company"], lines=[{"product": shop["chair"], "quantity": 1}]
        )
        invoice = invoicing.issue_invoice(actor=admin, order=order)
        issued = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=issued)
        return invoice

    invoice_on(MONDAY)  # 535.50 RON (450 + 19 % tax)
    PriceList.objects.update(currency="EUR")
    invoice_on(MONDAY)  # 535.50 EUR at 4.9753 = 2664.27
    invoice_on(MONDAY.replace(day=6))  # 535.50 EUR at 4.98 = 2666.79
    client.force_login(admin)
    page = record_pages.shown(client, f"/companies/{shop['company'].pk}/")
    assert "535.50 RON" in page and "1,071.00 EUR" in page
    assert '≈ <strong class="num">5,866.56 RON</strong>' in page

    invoice_on(MONDAY.replace(day=20))  # no EUR rate in force that day
    page = record_pages.shown(client, f"/companies/{shop['company'].pk}/")
    assert "5,866.56 RON" not in page
    assert "No total in RON: no exchange rate for EUR on 03/20/2026" in page


# Fetching rates (off unless a source is configured) ------------------------------------
ECB_DAY = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
  xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube><Cube time="2026-03-02">
    <Cube currency="USD" rate="1.0850"/><Cube currency="RON" rate="4.9753"/>
    <Cube currency="INR" rate="90.12"/>
  </Cube></Cube>
</gesmes:Envelope>"""


def test_the_ecb_rates_become_rates_to_the_base_currency():
    day, euro = sources.parse_ecb(ECB_DAY)
    assert day == MONDAY and euro == {"USD": D("1.0850"), "RON": D("4.9753"), "INR": D("90.12")}
    assert sources.to_base(euro, "RON") == {
        "EUR": D("4.97530000"),
        "USD": D("4.58552995"),  # 4.9753 / 1.085
        "INR": D("0.05520750"),
    }
    assert sources.to_base(euro, "EUR")["USD"] == D("0.92165899")
    assert sources.to_base(euro, "CHF") == {}
    with pytest.raises(sources.SourceError):
        sources.parse_ecb(b"<html>maintenance</html>")


def test_the_rate_job_does_nothing_unless_a_source_is_configured(settings, monkeypatch):
    fetched = []
    monkeypatch.setattr(sources, "fetch", lambda source: fetched.append(source) or ECB_DAY)
    settings.EXCHANGE_RATE_SOURCE = ""
    assert fetch_exchange_rates.call() == 0 and fetched == []
    settings.EXCHANGE_RATE_SOURCE = "ecb"
    assert fetch_exchange_rates.call() == 3 and fetched == ["ecb"]
    saved = {r.currency: (r.rate, r.source, r.day) for r in ExchangeRate.objects.all()}
    assert saved["EUR"] == (D("4.97530000"), "ecb", MONDAY)
    assert AuditEntry.objects.filter(content_type__model="exchangerate", actor=None).count() == 3


@pytest.mark.parametrize(
    ("rate", "language", "shown"),
    [
        ("4.97530000", "ro", "4,9753"),
        ("100.00000000", "en", "100"),
        ("0.05520750", "es", "0,0552075"),
    ],
)
def test_a_rate_is_shown_with_the_places_it_has_in_the_readers_way(rate, language, shown):
    assert format_rate(D(rate), language) == shown


def test_a_new_deal_is_in_the_base_currency_the_administrator_chose(admin, client):
    from clientela.deals import services as deal_services

    services.set_base_currency(actor=admin, currency="EUR")
    deal = deal_services.create_deal(actor=admin, data={"name": "Mobilier birou"})
    assert deal.currency == "EUR"
    client.force_login(admin)
    form = client.get("/deals/new/").context["form"]
    assert form.initial["currency"] == "EUR"
