"""The channels tests act as the administrator who holds the test mail account; a sales
team and its agent share messenger accounts."""

import pytest


@pytest.fixture
def user(mail_admin):
    return mail_admin


@pytest.fixture
def sales():
    from clientela.users.services import team_named

    return team_named("Sales Cluj")


@pytest.fixture
def agent(sales):
    from clientela.users.services import create_user, role_named

    return create_user(
        email="agent@firma.ro",
        full_name="Alex Agent",
        team=sales,
        role=role_named("sales-representative"),
    )
