"""Reads for the people, teams and roles pages and the manager's home page."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clientela.users.models import Role, Team, User


def people(*, show_inactive: bool = False) -> QuerySet[User]:
    users = User.objects.select_related("team", "role").order_by("-is_active", "full_name", "email")
    return users if show_inactive else users.filter(is_active=True)


def teams() -> QuerySet[Team]:
    return Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")


def roles() -> QuerySet[Role]:
    return Role.objects.annotate(
        member_count=Count("users", filter=Q(users__is_active=True))
    ).order_by("name")


def colleagues(user) -> QuerySet[User]:
    """The active people of the user's team (or just them, without a team)."""
    if user.team_id is None:
        return User.objects.filter(pk=user.pk)
    return User.objects.filter(team_id=user.team_id, is_active=True).order_by("full_name", "email")


def since(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def assignable(user) -> QuerySet[User]:
    """Every active person, as the owner and assignee pickers list them (the API's users)."""
    return User.objects.filter(is_active=True).select_related("team", "role")
