"""Home by position (R19): a manager sees the team's numbers and what is stuck; a
representative sees their own day."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.activities import services as activity_services
from clientela.customers import services as customer_services
from clientela.customers.models import Contact
from clientela.users.models import Role
from clientela.users.services import create_user, role_named, team_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    sales = team_named("Sales Iași")
    boss = create_user(
        email="sefa@firma.ro", full_name="Șefa Echipei", role=role_named("manager"), team=sales
    )
    reps = [create_user(email=f"rep{i}@firma.ro", full_name=f"Rep {i}", team=sales) for i in (1, 2)]
    outsider = create_user(
        email="alt@firma.ro", full_name="Din Altă Echipă", team=team_named("Other")
    )
    long_ago = timezone.now() - datetime.timedelta(days=90)
    for i in range(3):
        customer_services.create_contact(actor=reps[0], data={"full_name": f"Nou {i}"})
    quiet = customer_services.create_contact(actor=reps[1], data={"full_name": "Tăcut Vechi"})
    Contact.objects.filter(pk=quiet.pk).update(created_at=long_ago, last_activity_at=long_ago)
    customer_services.create_contact(actor=outsider, data={"full_name": "Nu E Al Lor"})
    activity_services.create_task(
        actor=reps[1],
        title="Ofertă întârziată",
        assignee=reps[1],
        record=quiet,
        due_at=timezone.now() - datetime.timedelta(days=3),
    )
    return {"boss": boss, "reps": reps}


def numbers_row(page: str, name: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", page, re.S).group(1)
    return re.findall(r">(\d+)<", row)


def test_a_manager_sees_each_colleague_and_what_is_stuck(client, team):
    client.force_login(team["boss"])
    page = client.get("/").content.decode()
    assert "Team Sales Iași" in page
    # owned, new in 30 days, gone quiet, logged in 7 days, open tasks, overdue
    assert numbers_row(page, "Rep 1") == ["3", "3", "0", "0", "0", "0"]
    assert numbers_row(page, "Rep 2") == ["1", "0", "1", "0", "1", "1"]
    assert "Tăcut Vechi" in page and "Ofertă întârziată" in page
    assert "Din Altă Echipă" not in page and "Nu E Al Lor" not in page


def test_the_team_block_costs_the_same_queries_for_a_bigger_team(client, team):
    client.force_login(team["boss"])
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    sales = team["boss"].team
    for i in range(3, 8):
        rep = create_user(email=f"rep{i}@firma.ro", full_name=f"Rep {i}", team=sales)
        customer_services.create_contact(actor=rep, data={"full_name": f"Client {i}"})
    with CaptureQueriesContext(connection) as big:
        client.get("/")
    assert len(big) == len(small)


def test_a_representative_sees_their_day_not_the_team(client, team):
    client.force_login(team["reps"][1])
    page = client.get("/").content.decode()
    assert "Your day" in page and "Ofertă întârziată" in page
    assert "Team Sales Iași" not in page and "Rep 1" not in page


def test_an_administrator_in_no_team_sees_everyone_not_a_team_of_one(client, team):
    admin = create_user(email="admin@firma.ro", full_name="Ana Admin", administrator=True)
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "Your team" not in page
    assert 'id="team-title"' in page and "Everyone" in page
    assert numbers_row(page, "Rep 1") == ["3", "3", "0", "0", "0", "0"]
    assert "Din Altă Echipă" in page and "Șefa Echipei" in page


def test_a_team_lead_in_no_team_sees_no_team_of_one(client, team):
    lead = Role.objects.create(
        key="team-lead",
        name="Team lead",
        permissions={
            "records": {"contact": {"view": "team", "edit": "own", "delete": "none"}},
            "capabilities": ["view_reports"],
        },
    )
    loner = create_user(email="singur@firma.ro", full_name="Lider Singur", role=lead)
    client.force_login(loner)
    page = client.get("/").content.decode()
    assert 'id="team-title"' not in page and "Your day" in page
