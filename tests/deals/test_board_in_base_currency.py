"""The board's sums across currencies, in the base currency at today's rate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clientela.core.currencies import services as currencies
from clientela.deals.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, people):
    client.force_login(people[0])
    return client


def test_the_board_adds_other_currencies_at_todays_rate(manager_client, pipeline, history):
    url = f"/deals/pipeline/{pipeline.pk}/"
    page = manager_client.get(url).content.decode()
    # D8's 500 EUR has no rate yet: said so, and no RON total that would count it 1:1.
    assert "500.00 EUR · 6,900.50 RON" in page
    assert "No total in RON: no exchange rate for EUR on" in page
    assert "7,400.50 RON" not in page

    currencies.save_rate(actor=None, currency="EUR", day=timezone.localdate(), rate="4.9753")
    page = manager_client.get(url).content.decode()
    # 6,900.50 + 500 x 4.9753 (2,487.65); weighted 3,800.40 + 250 x 4.9753 (1,243.825, half up)
    assert '≈ <strong class="num">9,388.15 RON</strong>' in page
    assert '≈ <strong class="num">5,044.23 RON</strong>' in page
    assert "No total in RON" not in page


def test_a_board_in_one_currency_shows_no_conversion(manager_client, pipeline, history):
    Deal.objects.filter(currency="EUR").update(currency="RON")
    page = manager_client.get(f"/deals/pipeline/{pipeline.pk}/").content.decode()
    assert "7,400.50 RON" in page and 'class="converted' not in page
