"""The channels tests act as the administrator who holds the test mail account."""

import pytest


@pytest.fixture
def user(mail_admin):
    return mail_admin
