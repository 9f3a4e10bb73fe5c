"""The funnel and the weighted forecast against figures worked out by hand below."""

from __future__ import annotations

import datetime
from decimal import Decimal

from clientela.deals import selectors
from clientela.deals.models import Deal

JANUARY = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 1, 31)}


def figures(funnel):
    return [(s.stage.name, s.reached, s.to_next, s.to_won) for s in funnel.steps]


def test_funnel_for_january_everyone(people, pipeline, history):
    ana, _bob = people
    funnel = selectors.funnel(ana, pipeline, **JANUARY)
    # January deals: D1..D6 (D7, D8 were created in February).
    # Reached A: all six. Reached B: D1, D2, D4 (skipped to C), D5, D6 = 5.
    # Reached C: D1, D4, D6 (won, so it reached every stage) = 3. Won: D1, D6 = 2.
    # A→B 5/6 = 83.3 %, B→C 3/5 = 60.0 %, C→won 2/3 = 66.7 %.
    # To won: A 2/6 = 33.3 %, B 2/5 = 40.0 %, C 2/3 = 66.7 %.
    assert (funnel.deals, funnel.won, funnel.lost) == (6, 2, 1)
    assert figures(funnel) == [
        ("A", 6, Decimal("83.3"), Decimal("33.3")),
        ("B", 5, Decimal("60.0"), Decimal("40.0")),
        ("C", 3, Decimal("66.7"), Decimal("66.7")),
    ]


def test_funnel_for_one_owner(people, pipeline, history):
    ana, _bob = people
    funnel = selectors.funnel(ana, pipeline, owner=ana, **JANUARY)
    # Ana's January deals: D1..D5. Reached A 5; B: D1, D2, D4, D5 = 4; C: D1, D4 = 2; won D1.
    # A→B 4/5 = 80 %, B→C 2/4 = 50 %, C→won 1/2 = 50 %; to won 1/5, 1/4, 1/2.
    assert (funnel.deals, funnel.won, funnel.lost) == (5, 1, 1)
    assert figures(funnel) == [
        ("A", 5, Decimal("80.0"), Decimal("20.0")),
        ("B", 4, Decimal("50.0"), Decimal("25.0")),
        ("C", 2, Decimal("50.0"), Decimal("50.0")),
    ]


def test_funnel_of_an_empty_period_has_no_percentages(people, pipeline, history):
    ana, _bob = people
    funnel = selectors.funnel(
        ana, pipeline, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 31)
    )
    assert funnel.deals == 0
    assert [(s.reached, s.to_next, s.to_won) for s in funnel.steps] == [(0, None, None)] * 3


def test_weighted_forecast_by_expected_close_month(people, pipeline, history):
    ana, _bob = people
    rows = [
        (r.month, r.currency, r.deals, r.total, r.weighted)
        for r in selectors.forecast(ana, pipeline)
    ]
    # Open deals: D3 1000.00 RON in A (10 %) closing 10 Mar → 100.00;
    # D4 2500.50 RON in C (80 %) closing 25 Mar → 2000.40; D5 3000 RON in B (50 %) closing
    # 2 Apr → 1500.00; D7 400 RON in B, no date → 200.00; D8 500 EUR in B closing 15 Mar
    # → 250.00. Won and lost deals (D1, D2, D6) are not in the forecast.
    assert rows == [
        (datetime.date(2026, 3, 1), "EUR", 1, Decimal("500.00"), Decimal("250.00")),
        (datetime.date(2026, 3, 1), "RON", 2, Decimal("3500.50"), Decimal("2100.40")),
        (datetime.date(2026, 4, 1), "RON", 1, Decimal("3000.00"), Decimal("1500.00")),
        (None, "RON", 1, Decimal("400.00"), Decimal("200.00")),
    ]
    assert all(isinstance(r[3], Decimal) and isinstance(r[4], Decimal) for r in rows)


def test_board_columns_totals_and_weighted_totals(people, pipeline, history):
    ana, _bob = people
    columns = selectors.board(ana, pipeline, {})
    names = {c.stage.name: sorted(d.name for d in c.cards) for c in columns}
    assert names == {"A": ["D3"], "B": ["D5", "D7", "D8"], "C": ["D4"]}
    by_stage = {c.stage.name: (c.count, c.totals, c.weighted) for c in columns}
    # B: 3000 + 400 RON at 50 % → 1700.00; 500 EUR → 250.00, never added to the RON.
    assert by_stage["B"] == (
        3,
        {"RON": Decimal("3400.00"), "EUR": Decimal("500.00")},
        {"RON": Decimal("1700.00"), "EUR": Decimal("250.00")},
    )
    totals, weighted = selectors.board_totals(columns)
    # RON: 1000 + 3400 + 2500.50 = 6900.50; weighted 100 + 1700 + 2000.40 = 3800.40.
    assert totals == {"RON": Decimal("6900.50"), "EUR": Decimal("500.00")}
    assert weighted == {"RON": Decimal("3800.40"), "EUR": Decimal("250.00")}


def test_board_filters_by_owner_and_close_date(people, pipeline, history):
    ana, bob = people
    only_march = selectors.board(
        ana,
        pipeline,
        {"close_from": datetime.date(2026, 3, 1), "close_to": datetime.date(2026, 3, 31)},
    )
    assert sorted(d.name for c in only_march for d in c.cards) == ["D3", "D4", "D8"]
    bobs = selectors.board(ana, pipeline, {"owner": bob})
    assert [d for c in bobs for d in c.cards] == []  # Bob's only deal is won


def test_time_spent_in_each_stage(people, pipeline, history):
    deal = Deal.objects.get(name="D1")
    changes = selectors.stage_history(deal)
    assert [(c.to_stage.name, c.status) for c in changes] == [
        ("A", "open"),
        ("B", "open"),
        ("C", "open"),
        ("C", "won"),
    ]
    times = {row.stage.name: row.seconds / 3600 for row in selectors.time_in_stages(deal, changes)}
    # A from 5 Jan 10:00 to 8 Jan 10:00; B to 18 Jan 10:00; C to the win on 20 Jan 22:00.
    assert times == {"A": 72, "B": 240, "C": 60}
