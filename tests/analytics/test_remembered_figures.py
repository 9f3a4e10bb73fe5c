"""The dashboards' figures are remembered between views (core.remembered) and never
served stale: after any write to a table they read (a service, a bulk statement, a job's
update, a team change, the trash and back, a survey answered from its public link) the
next view counts afresh; a transaction that wrote is not served the remembered value; two
readers who see different records never share one. Committed writes (transaction=True):
the cache serves only those."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.analytics import effectiveness, marketing
from clientela.analytics import selectors as figures
from clientela.core import record_services
from clientela.customers import services as customer_services
from clientela.customers.models import Contact
from clientela.tickets import services as ticket_services
from clientela.tickets import surveys
from clientela.tickets.models import Survey, Ticket
from clientela.users import selectors as user_selectors
from clientela.users.models import User
from clientela.users.services import change_access, team_named

pytestmark = pytest.mark.django_db(transaction=True)

HEAVY = ("COUNT(", "SUM(", "AVG(", "MIN(")


def heavy(captured) -> list[str]:
    """The queries that count, sum or average records, but the header's unread
    notifications (every page's, not a figure)."""
    return [
        q["sql"]
        for q in captured
        if any(word in q["sql"].upper() for word in HEAVY)
        and "notifications_notification" not in q["sql"]
    ]


def values(response) -> list[str]:
    return re.findall(r'data-value="([^"]*)"', response.content.decode())


def new_this_month(user) -> int:
    chart = figures.new_customers(user, figures.period_for(user))
    return chart.rows[-1].cells[0].value


def tickets_by_status(user) -> dict[str, int]:
    chart = figures.tickets_by_status(user, figures.period_for(user))
    return {row.label: row.cells[0].value for row in chart.rows}


def sla(user, now=None) -> dict[str, list]:
    chart = figures.sla_compliance(user, figures.period_for(user, now=now))
    return {row.label: [cell.value for cell in row.cells[:2]] for row in chart.rows}


@pytest.mark.parametrize(
    "url", ["/dashboards/executive/", "/dashboards/marketing/", "/dashboards/people/"]
)
def test_a_second_view_with_no_write_between_runs_no_heavy_query(client, world, url):
    client.force_login(world["ana"])
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert heavy(captured) == []
    # The same figures: every value of every chart's table.
    assert values(first) == values(second) and values(first)


def test_new_customers_follow_every_kind_of_write(world):
    """A service's create, a bulk statement, the trash and the restore from it."""
    ana = world["ana"]
    before = new_this_month(ana)
    assert new_this_month(ana) == before  # remembered
    added = customer_services.create_contact(actor=ana, data={"full_name": "Dana Nouă"})
    assert new_this_month(ana) == before + 1
    Contact.objects.filter(pk=added.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=70)
    )
    assert new_this_month(ana) == before
    Contact.objects.filter(pk=added.pk).update(created_at=timezone.now())
    assert new_this_month(ana) == before + 1
    record_services.trash_record(actor=ana, record=Contact.objects.get(pk=added.pk))
    assert new_this_month(ana) == before
    record_services.untrash_record(actor=ana, record=Contact.objects.get(pk=added.pk))
    assert new_this_month(ana) == before + 1
    Contact.objects.filter(pk=added.pk).delete()
    assert new_this_month(ana) == before


def test_tickets_and_their_deadlines_follow_a_jobs_update_and_the_clock(world):
    """The desk's figures after a bulk status change and an SLA field written the way a
    job writes it (a plain UPDATE); a deadline that passes with no write moves a waiting
    ticket to late."""
    ana = world["ana"]
    counts = tickets_by_status(ana)
    assert sla(ana) == {"First response": [1, 2], "Resolution": [0, 1]}
    assert tickets_by_status(ana) == counts
    new = Ticket.objects.filter(status="new")
    waiting = new.filter(first_responded_at__isnull=True, first_response_due__gt=timezone.now())
    assert waiting.count() == 1
    # The clock alone: Radu's new ticket's first answer falls due within the hour.
    later = timezone.now() + datetime.timedelta(hours=2)
    assert sla(ana, now=later) == {"First response": [1, 3], "Resolution": [0, 3]}
    assert sla(ana) == {"First response": [1, 2], "Resolution": [0, 1]}
    waiting.update(first_responded_at=timezone.now())  # answered in time
    assert sla(ana) == {"First response": [2, 2], "Resolution": [0, 1]}
    Ticket.objects.filter(status="new").update(status="closed")
    changed = tickets_by_status(ana)
    assert changed["New"] == 0 and changed["Closed"] == counts["Closed"] + 2
    with connection.cursor() as cursor:  # raw SQL, as a maintenance script might
        cursor.execute("UPDATE tickets_ticket SET status = 'open' WHERE status = 'closed'")
    assert tickets_by_status(ana)["Closed"] == 0
    total = sum(tickets_by_status(ana).values())
    trashed = Ticket.objects.get(subject="Livrare")
    ticket_services.trash_ticket(actor=ana, ticket=trashed)
    assert sum(tickets_by_status(ana).values()) == total - 1
    record_services.untrash_record(actor=ana, record=Ticket.objects.get(pk=trashed.pk))
    assert sum(tickets_by_status(ana).values()) == total


def test_a_survey_answered_from_its_public_link_counts_at_once(world):
    ana = world["ana"]
    ticket = Ticket.objects.get(subject="Factură")
    survey = Survey.objects.create(
        ticket=ticket,
        contact=ticket.contact,
        agent_id=ticket.owner_id,
        created_at=timezone.now(),
        language="ro",
    )
    period = figures.period_for(ana)
    from clientela.analytics import satisfaction

    assert satisfaction.by_agent(ana, period).rows == []
    surveys.answer(survey, rating=4)
    [row] = satisfaction.by_agent(ana, period).rows
    assert [cell.value for cell in row.cells] == [4, 1]


def test_a_team_change_moves_a_representatives_figures_at_once(world):
    """A representative sees his team's contacts (a subquery of the team's members): once
    Bogdan joins Radu's team Nord, Bogdan's new contact counts for Radu, and stops when
    he leaves. Each read as a request reads it, with the user fresh from the database."""
    ana, bogdan = world["ana"], world["bogdan"]

    def radus() -> int:
        return new_this_month(User.objects.get(pk=world["radu"].pk))

    own = radus()
    customer_services.create_contact(actor=bogdan, data={"full_name": "Din Sud"})
    assert radus() == own
    for team, expected in (("Nord", own + 1), ("Sud", own)):
        change_access(
            actor=ana,
            user=bogdan,
            team=team_named(team),
            role=bogdan.role,
            full_name=bogdan.full_name,
        )
        assert radus() == expected
    # The same change as a plain statement (an import of people, a script): no audit.
    User.objects.filter(pk=bogdan.pk).update(team=team_named("Nord"))
    assert radus() == own + 1


def test_two_readers_never_share_a_remembered_figure(world):
    ana, radu, bogdan = world["ana"], world["radu"], world["bogdan"]
    assert (new_this_month(radu), new_this_month(bogdan), new_this_month(ana)) == (1, 0, 1)
    assert (new_this_month(bogdan), new_this_month(radu)) == (0, 1)
    assert sum(tickets_by_status(radu).values()) == 2
    assert sum(tickets_by_status(bogdan).values()) == 2
    assert sum(tickets_by_status(ana).values()) == 4


def test_a_transaction_that_wrote_is_not_served_the_remembered_figure(world):
    ana = world["ana"]
    before = new_this_month(ana)
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_services.create_contact(actor=ana, data={"full_name": "Anulat"})
        assert new_this_month(ana) == before + 1  # its own write, not the cache
        raise RuntimeError
    assert new_this_month(ana) == before  # rolled back: the remembered figure holds


def test_marketing_figures_follow_bulk_changes(world):
    ana = world["ana"]
    period = figures.period_for(ana)

    def agree() -> int:
        return marketing.consent(ana, period).rows[0].cells[0].value

    before = agree()
    assert agree() == before
    Contact.objects.filter(full_name="Irina Radu").update(marketing_consent=True)
    assert agree() == before + 1
    sources = marketing.contacts_by_source(ana, period)
    Contact.objects.update(source="web")
    assert marketing.contacts_by_source(ana, period).series != sources.series


def test_the_people_page_follows_a_task_finished_by_a_bulk_update(team):
    from clientela.activities.models import Task
    from clientela.activities.services import create_task

    ana, radu = team["ana"], team["radu"]
    span = effectiveness.span_for(ana, None, None)

    def tasks_done() -> int:
        done = effectiveness.done_by(ana, [radu.pk], span)
        return done[radu.pk].tasks_done

    before = tasks_done()
    assert tasks_done() == before
    task = create_task(actor=radu, title="Încă una", assignee=radu)
    assert tasks_done() == before
    Task.objects.filter(pk=task.pk).update(done_at=timezone.now())
    assert tasks_done() == before + 1
    assert user_selectors.overseen(ana)  # the page's people, read as the page reads them


def test_activities_leave_the_30_days_as_time_passes(world):
    ana = world["ana"]

    def logged(now) -> int:
        chart = figures.activities_by_person(ana, figures.period_for(ana, now=now))
        return sum(cell.value for row in chart.rows for cell in row.cells)

    now = timezone.now()
    assert logged(now) == 4
    assert logged(now + datetime.timedelta(days=1)) == 4  # the same rows serve
    assert logged(now + datetime.timedelta(days=31)) == 0  # every one has left the window
    assert logged(now) == 4
