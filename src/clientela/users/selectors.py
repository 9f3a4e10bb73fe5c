"""Reads of users: the colleagues a person can assign records and tasks to."""

from __future__ import annotations

from django.db.models import QuerySet

from clientela.users.models import User


def colleagues(user) -> QuerySet[User]:
    """Active users, as the owner and assignee pickers list them."""
    return User.objects.filter(is_active=True).select_related("team", "role")
