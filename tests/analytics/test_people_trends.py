"""Each people-page figure beside the same figure in the period before: an arrow and the
change in percent, counted by hand over the analytics world with the timed fixture
(test_people_rating) for an administrator and a manager, and shown on the page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clientela.analytics import effectiveness
from clientela.analytics.figures import Trend, trend
from clientela.users import selectors as user_selectors
from tests.analytics.test_people_rating import _rows, timed  # noqa: F401 (the fixture)


def trends(user) -> dict[str, dict[str, list[str | None]]]:
    """Chart key → person → each cell's arrow and percent, as the page writes it."""
    span = effectiveness.span_for(user, timezone.now().date() - datetime.timedelta(days=62), None)
    return {
        chart.key: {
            row.label: [cell.trend.text if cell.trend else None for cell in row.cells]
            for row in chart.rows
        }
        for chart in effectiveness.charts(user, user_selectors.overseen(user), span)
    }


def test_a_trend_is_the_change_from_before_in_percent():
    assert trend(3, 2) == Trend("up", Decimal(50))
    assert trend(Decimal("0.6"), Decimal("0.5")) == Trend("up", Decimal(20))
    assert trend(1, 3) == Trend("down", Decimal(67))  # two thirds less
    assert trend(4, 0) == Trend("up", None)  # nothing before: new
    assert trend(0, 0) == Trend("same", Decimal(0))
    assert trend(None, 2) is None and trend(2, None) is None


@pytest.mark.django_db
def test_each_figure_against_the_period_before_for_two_roles(client, timed):  # noqa: F811
    # The period is the last 63 days; the one before, the 63 days ahead of it. Radu: two
    # calls now, one (80 days ago) before; two tasks done now, none before; a deal won
    # now, none before; 0.6 hours timed on tasks now, 0.5 before (up a fifth); 1.5 on
    # tickets now, none before; rating 8 against 1 (up 700 %).
    for reader in ("ana", "maria"):
        radu = {key: rows["Radu Ene"] for key, rows in trends(timed[reader]).items()}
        assert radu["people-activities"] == ["↑ 100%", "→"], reader
        assert radu["people-tasks"] == ["↑ new", "↑ new"], reader
        assert radu["people-deals"][0] == "↑ new", reader
        assert radu["people-time"] == ["↑ new", "→", "↑ 20%", "↑ new"], reader
        # Response times: a first answer now (1 hour), none before: nothing to compare.
        assert radu["people-response"] == [None, None], reader
        assert radu["people-rating"] == ["↑ 700%", None, None], reader
    # Only the administrator sees Bogdan: a call (of no logged length) and an hour on a
    # ticket, none before.
    bogdan = {key: rows["Bogdan Stan"] for key, rows in trends(timed["ana"]).items()}
    assert bogdan["people-activities"] == ["↑ new", "→"]
    assert bogdan["people-time"] == ["→", "→", "→", "↑ new"]
    assert "Bogdan Stan" not in trends(timed["maria"])["people-activities"]

    # The manager's page writes them beside the figures, the value before for readers.
    client.force_login(timed["maria"])
    first = (timezone.now().date() - datetime.timedelta(days=62)).isoformat()
    body = client.get(f"/dashboards/people/?from={first}").content.decode()
    assert _rows(body, "people-activities")["Radu Ene"] == [
        "2 ↑ 100% (period before: 1)",
        "0 → (period before: 0)",
    ]
    assert _rows(body, "people-time")["Radu Ene"][2] == "0.6 ↑ 20% (period before: 0.5)"


@pytest.mark.django_db
def test_each_rated_figure_against_the_period_before_for_two_roles(timed):  # noqa: F811
    # What the rating weighs, figure by figure (calls, meetings, tasks on time, deals won,
    # tickets within deadline), this period's beside the period before's. Radu: 2 calls
    # against 1 (80 days ago), no meeting either time, 1 task done on time and 1 deal won
    # against none, no ticket resolved within a deadline either time.
    from tests.analytics.test_people import table

    for reader in ("ana", "maria"):
        assert trends(timed[reader])["people-trend"]["Radu Ene"] == [
            "↑ 100%",
            "→",
            "↑ new",
            "↑ new",
            "→",
        ], reader
        assert table(timed[reader])["people-trend"]["Radu Ene"] == [2, 0, 1, 1, 0], reader
    # Bogdan, whom only the administrator sees: a call and a deal won, nothing before.
    assert trends(timed["ana"])["people-trend"]["Bogdan Stan"] == [
        "↑ new",
        "→",
        "→",
        "↑ new",
        "→",
    ]
    assert table(timed["ana"])["people-trend"]["Bogdan Stan"] == [1, 0, 0, 1, 0]
    assert "Bogdan Stan" not in trends(timed["maria"])["people-trend"]
