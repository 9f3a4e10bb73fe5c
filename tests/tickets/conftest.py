"""A desk to test with: support agents in two departments and an administrator."""

from __future__ import annotations

import pytest

from clientela.tickets import configuration
from clientela.tickets.models import DEFAULT_HOURS
from clientela.users.services import role_named, team_named


@pytest.fixture
def agents(make_user):
    team = team_named("Support")
    role = role_named("support-agent")
    return [
        make_user(email=f"agent{n}@firma.ro", full_name=f"Agent {n}", team=team, role=role)
        for n in (1, 2, 3)
    ]


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@firma.ro", full_name="Admin", role=role_named("administrator"))


@pytest.fixture
def desk(agents):
    """Support (agents 1 and 2, round robin) first, Billing (agent 3) second, Romanian
    (agent 1) third; every day 9 to 18 in UTC."""

    def department(name, members, assignment="round_robin"):
        return configuration.save_department(
            actor=None,
            department=None,
            name=name,
            lead=members[0],
            members=members,
            assignment=assignment,
            time_zone="UTC",
            hours=DEFAULT_HOURS,
            holidays=[],
        )

    return {
        "support": department("Support", agents[:2]),
        "billing": department("Billing", agents[2:]),
        "romanian": department("Romanian", agents[:1]),
    }
