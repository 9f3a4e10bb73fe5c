"""A task or timeline entry about a record its reader may not see names no such record:
the page says "a record you cannot see" and never prints the record's name (R26)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientela.activities import services
from clientela.customers import services as customer_services
from tests.record_pages import shown

SECRET = "Secreta Ionescu"
HIDDEN = "a record you cannot see"


@pytest.fixture
def teams(two_teams):
    owner_b, rep_a = two_teams
    secret = customer_services.create_contact(actor=owner_b, data={"full_name": SECRET})
    return owner_b, rep_a, secret


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/my-day/", "/"])
def test_a_task_assigned_across_teams_does_not_name_the_record(client, teams, path):
    owner_b, rep_a, secret = teams
    services.create_task(
        actor=owner_b,
        title="Follow up the offer",
        assignee=rep_a,
        record=secret,
        due_at=timezone.now() - datetime.timedelta(hours=1),  # overdue: on the home page too
    )
    client.force_login(rep_a)
    page = client.get(path).content.decode()
    assert "Follow up the offer" in page
    assert SECRET not in page
    assert secret.get_absolute_url() not in page
    assert HIDDEN in page


@pytest.mark.django_db
def test_a_task_on_a_record_the_assignee_sees_links_it(client, teams):
    _owner_b, rep_a, _secret = teams
    mine = customer_services.create_contact(actor=rep_a, data={"full_name": "Ion Pop"})
    services.create_task(actor=rep_a, title="Call Ion", assignee=rep_a, record=mine)
    client.force_login(rep_a)
    page = client.get("/my-day/").content.decode()
    assert f'<a href="{mine.get_absolute_url()}">Ion Pop</a>' in page
    assert HIDDEN not in page


@pytest.mark.django_db
def test_ticking_off_such_a_task_does_not_name_the_record_either(client, teams):
    owner_b, rep_a, secret = teams
    task = services.create_task(actor=owner_b, title="Follow up", assignee=rep_a, record=secret)
    client.force_login(rep_a)
    fragment = client.post(f"/tasks/{task.pk}/done/", HTTP_HX_REQUEST="true").content.decode()
    assert SECRET not in fragment
    assert HIDDEN in fragment


@pytest.mark.django_db
def test_a_timeline_entry_names_only_the_other_records_its_reader_sees(client, teams):
    owner_b, rep_a, secret = teams
    company = customer_services.create_company(actor=rep_a, data={"name": "Fabrica SRL"})
    # The other team's contact works at the rep's company: a call with them is on both
    # timelines, but the company's page does not say who it was with.
    customer_services.update_contact(
        actor=None, contact=secret, data={"company": company}, expected_version=None
    )
    secret.refresh_from_db()
    services.log_activity(actor=owner_b, record=secret, kind="call", subject="Pricing call")
    client.force_login(rep_a)
    page = shown(client, company.get_absolute_url())  # the timeline loads after first paint
    assert "Pricing call" in page
    assert SECRET not in page
