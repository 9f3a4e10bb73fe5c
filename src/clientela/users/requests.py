"""The request of a logged-in person, for the views behind `LoginRequiredMiddleware`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from clientela.users.models import User


class AuthenticatedRequest(HttpRequest):
    """Every view not marked `login_not_required` is reached only by a logged-in User."""

    user: User
