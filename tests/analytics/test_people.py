"""Employee effectiveness, counted by hand from the analytics world (tests/analytics/
conftest.py) over last month and this one: who sees whose figures (a manager their team,
an administrator everyone, a representative only himself) and each figure's value."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.activities.models import TimelineLink
from clientela.analytics import effectiveness
from clientela.customers import services as customers
from clientela.customers.models import Contact
from clientela.users import selectors as user_selectors


def _period() -> str:
    today = timezone.now().astimezone(datetime.UTC).date()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return f"?from={first.isoformat()}&to={today.isoformat()}"


def table(user, first=None) -> dict[str, dict[str, list]]:
    """Chart key → person → the values of their row."""
    span = effectiveness.span_for(
        user, first or timezone.now().date() - datetime.timedelta(days=62), None
    )
    people = user_selectors.overseen(user)
    return {
        chart.key: {row.label: [cell.value for cell in row.cells] for row in chart.rows}
        for chart in effectiveness.charts(user, people, span)
    }


@pytest.mark.django_db
def test_the_administrator_sees_everyone_counted_by_hand(team):
    figures = table(team["ana"])
    assert set(figures["people-activities"]) == {
        "Ana Popescu",
        "Bogdan Stan",
        "Maria Pop",
        "Radu Ene",
    }
    assert figures["people-activities"]["Radu Ene"] == [2, 0]  # two calls; a note is neither
    assert figures["people-activities"]["Bogdan Stan"] == [1, 0]
    assert figures["people-tasks"]["Radu Ene"] == [1, 1]
    assert figures["people-deals"]["Radu Ene"] == [1, Decimal("700.00")]
    assert figures["people-deals"]["Bogdan Stan"] == [1, Decimal("900.00")]
    # Radu's resolved ticket was resolved three hours past its deadline; no survey yet.
    assert figures["people-tickets"]["Radu Ene"] == [0, 1, None, 0]
    assert figures["people-tickets"]["Bogdan Stan"] == [0, 0, None, 0]


@pytest.mark.django_db
def test_a_manager_sees_only_his_team_and_a_representative_only_himself(client, team):
    maria = table(team["maria"])
    assert set(maria["people-deals"]) == {"Maria Pop", "Radu Ene"}
    assert maria["people-deals"]["Radu Ene"] == [1, Decimal("700.00")]
    radu = table(team["radu"])
    assert set(radu["people-activities"]) == {"Radu Ene"}
    assert radu["people-activities"]["Radu Ene"] == [2, 0]

    client.force_login(team["maria"])
    page = client.get("/dashboards/people/" + _period())
    body = page.content.decode()
    assert page.status_code == 200 and "Radu Ene" in body and "Bogdan Stan" not in body
    # His won deal drills into the list of exactly it.
    link = f"/deals/list/?status=won&amp;owner={team['radu'].pk}&amp;closed_from="
    assert link in body
    assert client.get(f"/dashboards/people/?person={team['bogdan'].pk}").status_code == 403
    assert client.get(f"/dashboards/people/?person={team['radu'].pk}").status_code == 200

    client.force_login(team["radu"])
    own = client.get("/dashboards/people/?from=not-a-day").content.decode()
    assert "Radu Ene" in own and "Maria Pop" not in own


@pytest.mark.django_db
def test_calls_and_meetings_count_once_each_and_only_on_records_the_reader_sees(team):
    """Radu calls a contact he later hands to Bogdan, and one he deletes; he meets the
    handed one with Irina, his own, on the timeline too."""
    radu, bogdan = team["radu"], team["bogdan"]
    irina = Contact.objects.get(full_name="Irina Radu")
    handed = customers.create_contact(actor=radu, data={"full_name": "Predat Sud"})
    gone = customers.create_contact(actor=radu, data={"full_name": "Șters Acum"})

    def log(record, kind):
        return activity_services.log_activity(actor=radu, record=record, kind=kind, subject=kind)

    log(handed, "call")
    met = log(handed, "meeting")
    TimelineLink.objects.create(
        activity=met,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=irina.pk,
        occurred_at=met.occurred_at,
        kind=met.kind,
    )
    log(gone, "call")
    Contact.objects.filter(pk=handed.pk).update(owner=bogdan)
    Contact.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    # The administrator sees both of the handed contact's entries, the meeting once though
    # it is on two timelines; the deleted contact's call is on no live record. So does
    # Radu's manager, whose role sees every contact.
    assert table(team["ana"])["people-activities"]["Radu Ene"] == [3, 1]
    assert table(team["maria"])["people-activities"]["Radu Ene"] == [3, 1]
    # Radu, whose role sees his team's contacts, no longer sees the handed one (Bogdan is
    # in Sud): only the meeting, through Irina, counts. Bogdan's figures are what he
    # logged, not what he now owns.
    assert table(radu)["people-activities"]["Radu Ene"] == [2, 1]
    assert table(bogdan)["people-activities"]["Bogdan Stan"] == [1, 0]
