"""Chart axes in the reader's language: the executive dashboard's revenue in lei is written
"1.400 RON" on its axis for a Romanian reader, "RON 1,400" for an English one."""

from __future__ import annotations

import pytest

from clientela.users.models import User
from tests.analytics.conftest import PASSWORD, build_world
from tests.e2e.conftest import log_in

AXIS = """(key) => {
  const figure = document.getElementById(`chart-${key}`).closest("[data-dashboard-chart]");
  return {locale: figure.chart.options.locale,
          ticks: figure.chart.scales.y.ticks.map((tick) => tick.label)};
}"""


def revenue_axis(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_function("document.querySelector('#chart-revenue')")
    page.wait_for_function(
        "document.getElementById('chart-revenue').closest('[data-dashboard-chart]').chart"
    )
    return page.evaluate(AXIS, "revenue")


@pytest.mark.django_db(transaction=True)
def test_revenue_axis_in_the_readers_language(page, live_server):
    world = build_world()
    ana = world["ana"]
    log_in(page, live_server, ana, PASSWORD)
    # Orders sold last month: 900 + 550 = 1,450 lei; the axis runs past 1,400.
    english = revenue_axis(page, live_server.url + "/dashboards/executive/")
    assert english["locale"] == "en"
    assert "RON\u00a01,400" in english["ticks"] or "RON 1,400" in english["ticks"], english

    User.objects.filter(pk=ana.pk).update(language="ro")
    romanian = revenue_axis(page, live_server.url + "/dashboards/executive/")
    assert romanian["locale"] == "ro"
    assert "1.400\u00a0RON" in romanian["ticks"] or "1.400 RON" in romanian["ticks"], romanian
