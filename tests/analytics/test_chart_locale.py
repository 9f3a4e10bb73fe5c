"""What a chart is told of the reader's language and of its amounts' currency: the data
table carries both, for analytics/charts.js to write the axis as the reader does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from clientela.analytics.figures import Cell
from clientela.users.models import User


def revenue_table(body: str) -> str:
    section = body.split('id="chart-revenue"', 1)[1]
    return section.split("<table", 1)[1].split(">", 1)[0]


@pytest.mark.django_db
def test_the_revenue_table_names_its_language_and_currency(client, world):
    ana = world["ana"]
    client.force_login(ana)
    english = revenue_table(client.get("/dashboards/executive/").content.decode())
    assert 'data-locale="en"' in english and 'data-currency="RON"' in english
    User.objects.filter(pk=ana.pk).update(language="ro")
    romanian = revenue_table(client.get("/dashboards/executive/").content.decode())
    assert 'data-locale="ro"' in romanian and 'data-currency="RON"' in romanian
    # A count is no amount: no currency on the calls chart of the same page.
    calls = client.get("/dashboards/people/").content.decode()
    assert (
        'data-currency="'
        not in calls.split('id="chart-people-activities"', 1)[1].split("</table>", 1)[0]
    )


def test_a_figure_shown_again_is_written_in_the_readers_language_as_it_was_counted():
    """The tables write each number once per language and value (analytics.selectors):
    a reader in another language, or an amount with another number of decimals, still
    sees it written their way."""
    for language, written in (("en", "12,345"), ("ro", "12.345"), ("en", "12,345")):
        with translation.override(language):
            assert Cell(12345).text == written
            assert Cell(12345, before=12345, compared=True).before_text == written
    with translation.override("ro"):
        assert [Cell(Decimal("2.50")).text, Cell(Decimal("2.5")).text] == ["2,50", "2,5"]
