"""The people page's time logged, ticket response times, rating and its trend, counted by
hand over the analytics world (conftest.py) for an administrator and a manager; and the
rating's weights, which a role with team reports changes for the installation, audited."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.activities import timers
from clientela.activities.models import Activity
from clientela.analytics import rating
from clientela.core.models import AuditEntry, InstallationSetting
from clientela.customers.models import Contact
from clientela.tickets import services as ticket_services
from clientela.tickets.models import Ticket
from tests.analytics.conftest import last_month
from tests.analytics.test_people import table

D = Decimal


@pytest.fixture
def timed(team):
    """Radu's two calls this month lasted 30 and 24 minutes (0.9 hours); he made one more
    80 days ago (the period before the one counted). (The world's tickets: Radu's "Factură"
    was opened an hour before its first answer and resolved five hours after that;
    Bogdan's "Livrare" was first answered three hours after it was opened, and is not
    resolved.)"""
    radu = team["radu"]
    calls = list(Activity.objects.filter(author=radu, kind="call").order_by("pk"))
    Activity.objects.filter(pk=calls[0].pk).update(duration_seconds=1800)
    Activity.objects.filter(pk=calls[1].pk).update(duration_seconds=1440)
    activity_services.log_activity(
        actor=radu,
        record=Contact.objects.get(full_name="Irina Radu"),
        kind="call",
        subject="Earlier",
        occurred_at=timezone.now() - datetime.timedelta(days=80),
    )
    time_by_timer(team)
    return team


def time_by_timer(team) -> None:
    """By the timer: Radu 36 minutes on an open task and 90 on his ticket "Nu merge" today,
    and 30 minutes on a task 70 days ago (the period before); Bogdan an hour on his
    "Livrare"."""
    radu, bogdan, now = team["radu"], team["bogdan"], timezone.now()
    minutes = datetime.timedelta(minutes=1)

    def timed_on(person, started, length, **target):
        timers.start_timer(actor=person, now=started, **target)
        timers.stop_timer(actor=person, now=started + length * minutes)

    task = activity_services.create_task(actor=radu, title="Pregătire", assignee=radu)
    timed_on(radu, now - 180 * minutes, 36, task=task)
    timed_on(radu, now - 120 * minutes, 90, record=Ticket.objects.get(subject="Nu merge"))
    earlier = activity_services.create_task(actor=radu, title="Demult", assignee=radu)
    timed_on(radu, now - datetime.timedelta(days=70), 30, task=earlier)
    timed_on(bogdan, now - 60 * minutes, 60, record=Ticket.objects.get(subject="Livrare"))


def weight_changes():
    """The audit trail's entries about the installation's settings."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(InstallationSetting), action="update"
    )


def _rows(body: str, key: str) -> dict[str, list[str]]:
    """Person → the texts of their row in one chart's table, as the page shows them."""
    section = body.split(f'id="chart-{key}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for label, cells in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', section):
        rows[label] = [
            unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td.*?</td>", cells)
        ]
    return rows


@pytest.mark.django_db
def test_time_response_times_and_rating_counted_by_hand_for_two_roles(timed):
    # The administrator: everyone. Two calls of Radu's: 1800 + 1440 s = 0.9 hours; no
    # meeting; by the timer 36 minutes on a task (0.6 hours) and 90 on a ticket (1.5).
    # The task he timed 70 days ago is the period before's. Bogdan: an hour on a ticket.
    ana = table(timed["ana"])
    assert ana["people-time"]["Radu Ene"] == [D("0.9"), D("0.0"), D("0.6"), D("1.5")]
    assert ana["people-time"]["Bogdan Stan"] == [D("0.0"), D("0.0"), D("0.0"), D("1.0")]
    # First answers: Radu's after 1 hour, Bogdan's after 3; Radu's ticket resolved 6 hours
    # after it was opened; Bogdan resolved none.
    assert ana["people-response"]["Radu Ene"] == [D("1.0"), D("6.0")]
    assert ana["people-response"]["Bogdan Stan"] == [D("3.0"), None]
    assert ana["people-response"]["Maria Pop"] == [None, None]
    # Default weights 1 call, 2 meeting, 1 task on time, 5 deal won, 2 ticket in time.
    # Radu: 2 calls + 1 task on time + 5 x 1 deal won = 8; before: 1 call. Bogdan: 1 + 5.
    assert ana["people-rating"]["Radu Ene"] == [8, 1, 7]
    assert ana["people-rating"]["Bogdan Stan"] == [6, 0, 6]
    assert ana["people-rating"]["Ana Popescu"] == [0, 0, 0]
    # The manager of Nord: herself and Radu, the same figures for him.
    maria = table(timed["maria"])
    assert set(maria["people-rating"]) == {"Maria Pop", "Radu Ene"}
    assert maria["people-rating"]["Radu Ene"] == [8, 1, 7]
    assert maria["people-time"]["Radu Ene"] == [D("0.9"), D("0.0"), D("0.6"), D("1.5")]
    assert "Bogdan Stan" not in maria["people-time"]
    assert maria["people-response"]["Radu Ene"] == [D("1.0"), D("6.0")]


@pytest.mark.django_db
def test_a_manager_changes_the_weights_for_everyone_audited(client, timed):
    maria, radu = timed["maria"], timed["radu"]
    client.force_login(maria)
    page = client.get("/dashboards/people/").content.decode()
    x = rating.TIMES  # the multiplication sign
    formula = (
        f"Points = 1 {x} calls made + 2 {x} meetings held + 1 {x} tasks done on time"
        f" + 5 {x} deals won + 2 {x} tickets resolved within deadline."
    )
    assert formula in unescape(page)
    assert "The rating&#x27;s weights" in page or "The rating's weights" in page

    weights = {"calls": 3, "meetings": 0, "tasks_on_time": 0, "deals_won": 10, "tickets_in_time": 0}
    saved = client.post("/dashboards/people/weights/", weights)
    assert saved.status_code == 302 and saved["Location"] == "/dashboards/people/"
    assert rating.weights() == weights
    entry = weight_changes().get()
    assert entry.actor_id == maria.pk
    # Radu now: 3 x 2 calls + 10 x 1 deal won = 16; before: 3 x 1 call = 3.
    assert table(timed["ana"])["people-rating"]["Radu Ene"] == [16, 3, 13]
    body = client.get(
        "/dashboards/people/?from="
        + (timezone.now().date() - datetime.timedelta(days=62)).isoformat()
    ).content.decode()
    assert f"Points = 3 {x} calls made + 0 {x} meetings held" in unescape(body)
    # 16 against 3 before: up 13 / 3 = 433 %.
    assert _rows(body, "people-rating")["Radu Ene"] == ["16 ↑ 433% (period before: 3)", "3", "13"]

    # A number out of range: said beside its field, what was typed kept, nothing saved.
    bad = client.post("/dashboards/people/weights/", {**weights, "deals_won": "101"})
    assert bad.status_code == 400
    text = unescape(bad.content.decode())
    assert "Ensure this value is less than or equal to 100." in text
    assert 'name="deals_won" value="101"' in text
    assert rating.weights() == weights
    # A representative's role has no team reports: no form, and a post is refused.
    client.force_login(radu)
    assert (
        'action="/dashboards/people/weights/"'
        not in client.get("/dashboards/people/").content.decode()
    )
    assert client.post("/dashboards/people/weights/", weights).status_code == 403
    assert weight_changes().count() == 1


@pytest.mark.django_db
def test_an_answer_recorded_before_its_ticket_was_opened_has_no_response_time(timed):
    # Radu's ticket "Importat" was brought in today with its history: answered and resolved
    # last month, before the opening it was given (now). It counts as resolved (no
    # deadline: within it), but its times would be negative and pull his averages down:
    # they stay his "Factură"'s, answered after 1 hour and resolved after 6.
    lm = last_month(15)
    made = ticket_services.open_ticket(
        actor=timed["ana"],
        channel="ui",
        subject="Importat",
        contact=Contact.objects.get(full_name="Irina Radu"),
    )
    Ticket.objects.filter(pk=made.pk).update(
        owner=timed["radu"],
        status="resolved",
        first_responded_at=lm,
        resolved_at=lm + datetime.timedelta(hours=2),
        resolution_due=None,
    )
    for reader in ("ana", "maria"):
        figures = table(timed[reader])
        assert figures["people-response"]["Radu Ene"] == [D("1.0"), D("6.0")], reader
        assert figures["people-tickets"]["Radu Ene"][:2] == [1, 1], reader
