"""The forecast: the model's arithmetic on series whose answer is known by hand, revenue in
the base currency at each order's day rate (with the missing rates named), the short
history's message, the learned stage probabilities for two roles, and the page."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import formats, timezone

from clientela.analytics import forecasting, forecasts
from clientela.core import events, remembered
from clientela.core.currencies import services as currency_services
from clientela.customers.models import Contact
from clientela.orders import services as order_services
from clientela.orders.models import Order, Product

D = Decimal


def series(*values) -> list[Decimal]:
    return [D(value) for value in values]


def test_a_straight_line_is_forecast_as_its_continuation():
    fit = forecasting.fit(series(10, 20, 30, 40, 50, 60, 70, 80, 90))
    assert fit is not None
    assert fit.forecast == tuple(series("100.00", "110.00", "120.00", "130.00", "140.00", "150.00"))
    # The last three months were on the line too: no error.
    assert fit.backtest is not None
    assert fit.backtest.predicted == tuple(series("70.00", "80.00", "90.00"))
    assert fit.backtest.mae == D("0.00") and fit.backtest.mape == D("0.0")


def test_the_backtest_measures_the_miss_on_the_held_back_months():
    # Fitted on 10..60 the model expects 70, 80, 90; the months were 100 each:
    # misses 30, 20, 10, so MAE 20 and MAPE (30% + 20% + 10%) / 3 = 20%.
    test = forecasting.backtest(series(10, 20, 30, 40, 50, 60, 100, 100, 100))
    assert test is not None
    assert test.predicted == tuple(series("70.00", "80.00", "90.00"))
    assert test.actual == tuple(series(100, 100, 100))
    assert test.mae == D("20.00")
    assert test.mape == D("20.0")


def test_a_flat_series_and_a_falling_one_never_go_below_zero():
    fit = forecasting.fit(series(5, 5, 5, 5, 5, 5))
    assert fit is not None and fit.forecast == (D("5.00"),) * forecasting.HORIZON
    falling = forecasting.fit(series(60, 50, 40, 30, 20, 10))
    assert falling is not None
    assert falling.forecast[0] == D("0.00") and min(falling.forecast) == D("0.00")


def test_short_histories_get_no_forecast_or_no_backtest():
    assert forecasting.fit(series(1, 2, 3, 4, 5)) is None
    fit = forecasting.fit(series(1, 2, 3, 4, 5, 6, 7, 8))
    assert fit is not None and fit.backtest is None
    # A held-back month of zero has no percentage error; the others still count.
    test = forecasting.backtest(series(10, 20, 30, 40, 50, 60, 0, 80, 90))
    assert test is not None and test.mape is not None


def test_an_unchanged_history_is_not_fitted_twice():
    history = series(*range(1, 9), uuid.uuid4().int % 1000)  # a series no earlier run cached
    with mock.patch.object(forecasting, "_predict", wraps=forecasting._predict) as predict:
        first = forecasting.fit(history)
        calls = predict.call_count
        again = forecasting.fit(history)
    assert calls == 2  # the forecast and the back-test
    assert predict.call_count == calls and again == first


def _month(n: int) -> datetime.datetime:
    """The 15th of the month `n` months before this one, at noon UTC."""
    first = timezone.now().astimezone(datetime.UTC).date().replace(day=1)
    index = first.year * 12 + first.month - 1 - n
    return datetime.datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=datetime.UTC)


def build_sales_history(world: dict) -> dict:
    """Nine months of Ana's sales in RON, 10 to 60 then 100 a month, the last month's 100
    being 20 EUR at 5 RON; and 7 USD two months ago that has no rate."""
    Order.objects.update(placed_at=None)  # the world's own orders stay out
    customer = Contact.objects.get(full_name="Irina Radu")
    lamp = Product.objects.get(sku="LM-1")
    ana = world["ana"]

    def sold(months_ago: int, total: str, currency: str = "RON") -> None:
        made = order_services.create_order_for_customer(
            actor=ana, customer=customer, lines=[{"product": lamp, "quantity": 1}]
        )
        Order.objects.filter(pk=made.pk).update(
            placed_at=_month(months_ago), total=D(total), currency=currency
        )

    for months_ago, total in zip(range(9, 3, -1), (10, 20, 30, 40, 50, 60), strict=True):
        sold(months_ago, str(total))
    sold(3, "100")
    sold(2, "100")
    sold(2, "7", "USD")
    sold(1, "20", "EUR")
    currency_services.save_rate(actor=ana, currency="EUR", day=_month(1).date(), rate="5")
    return world


@pytest.fixture
def sales_history(world):
    return build_sales_history(world)


@pytest.mark.django_db
def test_revenue_is_converted_at_each_days_rate_and_forecast(sales_history):
    result = forecasts.revenue(sales_history["ana"])
    assert result.unit == "RON"
    assert [m.currency for m in result.missing] == ["USD"]
    assert result.fit is not None and result.fit.backtest is not None
    assert result.fit.backtest.actual == tuple(series(100, 100, 100))
    assert result.fit.backtest.mae == D("20.00") and result.fit.backtest.mape == D("20.0")
    history = [row.cells[0].value for row in result.chart.rows[:9]]
    assert history == series(10, 20, 30, 40, 50, 60, 100, 100, "100.00")
    # Then this month (nothing sold yet) and five more, each with its forecast.
    assert len(result.chart.rows) == 9 + forecasting.HORIZON
    assert result.chart.rows[9].cells[0].value == D("0.00")
    assert all(row.cells[1].value is not None for row in result.chart.rows[9:])


@pytest.mark.django_db
def test_a_short_history_says_so(client, world):
    result = forecasts.new_customers(world["ana"])
    assert result.fit is None
    assert "Too little history to forecast: 1 month with data, 6 needed." in str(
        result.chart.summary
    )
    client.force_login(world["ana"])
    page = client.get("/dashboards/forecast/")
    assert page.status_code == 200
    assert "Too little history to forecast" in page.content.decode()


@pytest.mark.django_db
def test_learned_probabilities_count_only_the_deals_each_reader_sees(world):
    first, second = world["stages"]
    # Ana sees the three closed deals: two won, one lost in the first stage, so 2 of the 3
    # that reached the first stage were won, and both that reached the second.
    [ana] = forecasts.learned_probabilities(world["ana"])
    by_stage = {odds.stage.pk: odds for odds in ana.stages}
    assert (by_stage[first.pk].closed, by_stage[first.pk].learned) == (3, D("66.7"))
    assert (by_stage[second.pk].closed, by_stage[second.pk].learned) == (2, D("100.0"))
    # Radu sees his own two: one won, one lost.
    [radu] = forecasts.learned_probabilities(world["radu"])
    by_stage = {odds.stage.pk: odds for odds in radu.stages}
    assert (by_stage[first.pk].closed, by_stage[first.pk].learned) == (2, D("50.0"))
    assert (by_stage[second.pk].closed, by_stage[second.pk].learned) == (1, D("100.0"))


@pytest.mark.django_db(transaction=True)  # committed writes: the cache serves only those
def test_learned_probabilities_are_remembered_until_a_deal_is_written(world):
    """The stage odds are counted once between deal writes (each reader's own), and
    counted afresh when a deal closes: the next page shows the new odds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientela.deals import services as deal_services
    from clientela.deals.models import Deal

    first, _second = world["stages"]

    def first_stage(user) -> tuple[int, Decimal | None]:
        [pipeline] = forecasts.learned_probabilities(user)
        odds = next(odds for odds in pipeline.stages if odds.stage.pk == first.pk)
        return odds.closed, odds.learned

    assert first_stage(world["ana"]) == (3, D("66.7"))
    with CaptureQueriesContext(connection) as captured:
        assert first_stage(world["ana"]) == (3, D("66.7"))
    assert not [q for q in captured if "COUNT(DISTINCT" in q["sql"]]  # remembered
    assert first_stage(world["radu"]) == (2, D("50.0"))  # another reader, his own
    deal_services.close_deal(
        actor=world["ana"],
        deal=Deal.objects.get(name="Mese Sud"),
        outcome="lost",
        reason="Price",
        expected_version=None,
    )
    assert first_stage(world["ana"]) == (4, D("50.0"))


@pytest.mark.django_db
def test_the_forecast_page_shows_the_backtest_the_missing_rate_and_the_pipeline(
    client, sales_history
):
    client.force_login(sales_history["ana"])
    body = client.get("/dashboards/forecast/").content.decode()
    assert 'data-backtest="revenue-forecast"' in body
    assert "20.00 RON (20.0%)" in body
    assert "Amounts in USD on 1 day had no exchange rate" not in body  # singular
    assert "An amount in USD on 1 day had no exchange rate to RON" in body
    assert "Weighted forecast by expected close month" in body
    assert "Stage probabilities: typed and learned" in body
    # Representatives have no reports: no forecast either.
    client.force_login(sales_history["radu"])
    assert client.get("/dashboards/forecast/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "mae", "month"),
    [
        # Romanian: a comma for decimals, "lei" after the amount; Hindi: the code before it.
        ("ro", "20,00\u00a0lei (20,0%)", "100,00\u00a0lei"),
        ("hi", "RON20.00 (20.0%)", "RON100.00"),
    ],
)
def test_the_forecast_writes_money_as_the_readers_language_does(
    client, sales_history, language, mae, month
):
    from clientela.users import services as user_services

    ana = sales_history["ana"]
    user_services.set_language(actor=ana, language=language)
    client.force_login(ana)
    body = client.get("/dashboards/forecast/").content.decode()
    backtest = body.split('data-backtest="revenue-forecast"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="table__num" colspan="2" data-mae>{mae}</td>' in backtest
    assert f'<td class="table__num">{month}</td>' in backtest  # each month, forecast and actual
    # The revenue chart's table, and its summary sentence.
    revenue = body.split('id="chart-revenue-forecast"', 1)[1].split("</section>", 1)[0]
    assert 'data-value="100.00"><a href="' in revenue and f">{month}</a>" in revenue
    assert month.replace("100", "20") in revenue.split("</p>", 1)[0]
    assert "RON (" not in body and " RON<" not in body


@pytest.mark.django_db
def test_the_remembered_history_is_read_again_when_a_contact_comes_or_goes(world):
    """The complete months are remembered between page views, and read afresh once a
    contact is added (even one dated months back, as an import may) or moved to the trash:
    the page never shows a count the records no longer give."""
    from clientela.core import record_services
    from clientela.customers import services as customer_services

    ana = world["ana"]

    def two_months_ago() -> Decimal:
        result = forecasts.new_customers(ana)
        label = formats.date_format(_month(2).date(), "YEAR_MONTH_FORMAT")
        cells = [row.cells[0].value for row in result.chart.rows if row.label == label]
        return cells[0] if cells else D(0)

    before = two_months_ago()
    assert two_months_ago() == before  # remembered: the same figure
    added = customer_services.create_contact(actor=ana, data={"full_name": "Dana Vechi"})
    Contact.objects.filter(pk=added.pk).update(created_at=_month(2))
    assert two_months_ago() == before + 1
    record_services.trash_record(actor=ana, record=Contact.objects.get(pk=added.pk))
    assert two_months_ago() == before


@pytest.mark.django_db
def test_a_new_order_shows_in_the_remembered_history_at_once(sales_history):
    """The orders' history is forgotten where an order is written: one placed now counts in
    its month at the next read, with no check of the table at each read."""
    ana = sales_history["ana"]
    later = timezone.now() + datetime.timedelta(days=32)  # this month is history by then
    label = formats.date_format(forecasts.this_month(ana), "YEAR_MONTH_FORMAT")

    def this_month_sold() -> Decimal:
        result = forecasts.revenue(ana, now=later)
        cells = [row.cells[0].value for row in result.chart.rows if row.label == label]
        return cells[0] if cells else D(0)

    before = this_month_sold()
    assert this_month_sold() == before  # remembered: the same figure
    made = order_services.create_order_for_customer(
        actor=ana,
        customer=Contact.objects.get(full_name="Irina Radu"),
        lines=[{"product": Product.objects.get(sku="LM-1"), "quantity": 1}],
    )
    assert made.placed_at is not None and made.currency == "RON" and made.total > 0
    assert this_month_sold() == before + made.total


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_forgets_the_history_once_and_a_rolled_back_one_keeps_it(world):
    """The remembered months of a table are forgotten when a transaction that wrote it
    commits, once however many writes it made, and the writer's own reads meanwhile count
    its new rows; a transaction rolled back forgets nothing. Another table's are kept."""
    from django.db import transaction

    from clientela.customers import services as customer_services

    ana = world["ana"]

    def two_months_ago() -> Decimal:
        result = forecasts.new_customers(ana)
        label = formats.date_format(_month(2).date(), "YEAR_MONTH_FORMAT")
        cells = [row.cells[0].value for row in result.chart.rows if row.label == label]
        return cells[0] if cells else D(0)

    def listener(models: set) -> None:
        told.append(models)

    first = _generation(Contact)
    orders = _generation(Order)
    before = two_months_ago()  # remembered from here on
    told: list[set] = []
    events.listen_to_writes(listener)
    try:
        with transaction.atomic():
            for name in ("Dana Nouă", "Radu Nou", "Ilie Nou"):
                added = customer_services.create_contact(actor=ana, data={"full_name": name})
                Contact.objects.filter(pk=added.pk).update(created_at=_month(2))
            assert _generation(Contact) == first  # not before the commit
            assert Contact in events.unsaved() and Order not in events.unsaved()
            # The writer reads its own rows, not the months remembered before them.
            assert two_months_ago() == before + 3
        assert [Contact in models for models in told] == [True]  # one call for three writes
        assert events.unsaved() == frozenset()
        committed = _generation(Contact)
        assert committed != first
        assert two_months_ago() == before + 3  # read afresh for everyone

        with pytest.raises(RuntimeError), transaction.atomic():
            customer_services.create_contact(actor=ana, data={"full_name": "Anulat"})
            raise RuntimeError
        assert _generation(Contact) == committed  # nothing to forget
        assert len(told) == 1 and events.unsaved() == frozenset()
    finally:
        events._WRITE_LISTENERS.remove(listener)
    assert _generation(Order) == orders  # another table's history is kept


def _generation(model) -> str:
    """The table's current generation (core.remembered)."""
    return remembered.generations([model._meta.db_table])[1]


class _CacheSpy:
    """The cache, with the generations each `delete_many` forgot."""

    def __init__(self, real):
        self.real, self.written = real, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def delete_many(self, keys, *args, **kwargs):
        self.written.append(sorted(keys))
        return self.real.delete_many(keys, *args, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_write_tells_the_shared_cache_once_when_it_commits(user, monkeypatch):
    """Inside the writing transaction only its own reads skip the remembered history (no
    other process can see the row yet); the shared generation, which every web process
    and worker reads, changes once, at the commit: one cache write per write, not two."""
    from django.core.cache import cache
    from django.db import transaction

    from clientela.core import events
    from clientela.customers import services as customer_services

    spy = _CacheSpy(remembered.cache)
    monkeypatch.setattr(remembered, "cache", spy)
    key = remembered._generation_key(Contact._meta.db_table)
    first = _generation(Contact)
    shared = cache.get(key)
    with transaction.atomic():
        customer_services.create_contact(actor=user, data={"full_name": "Dana Nouă"})
        customer_services.create_contact(actor=user, data={"full_name": "Ion Nou"})
        assert Contact in events.unsaved()  # the writer's next read reads afresh
        assert cache.get(key) == shared  # what another process reads: unchanged yet
    after = _generation(Contact)
    assert cache.get(key) != shared and after == cache.get(key)
    assert after != first
    # Every table the transaction wrote, in one cache write.
    assert len([written for written in spy.written if key in written]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_tells_each_listener_once(user, monkeypatch):
    """A write made in autocommit is committed as it is made: the write listeners hear of
    it once (before, at once and again "at the commit", which is the same moment)."""
    from clientela.core import events

    heard: list[set] = []
    monkeypatch.setattr(events, "_WRITE_LISTENERS", [heard.append])
    events.written([Contact])
    assert heard == [{Contact}]
