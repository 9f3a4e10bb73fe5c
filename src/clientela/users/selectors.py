"""Reads for the people, teams and roles pages and the manager's home page."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clientela.core import permissions
from clientela.users.models import Role, Team, User


def active() -> QuerySet[User]:
    """Everyone who may log in and be given work: the one definition of an active person."""
    return User.objects.filter(is_active=True)


def by_name() -> QuerySet[User]:
    """Active people by name, as owner and assignee pickers list them."""
    return active().order_by("full_name", "email")


def active_person(pk: int | str | None) -> User | None:
    """The active person with this id; None for an unknown, inactive or missing id."""
    return active().filter(pk=pk).first() if pk else None


def people(*, show_inactive: bool = False) -> QuerySet[User]:
    users = User.objects.all() if show_inactive else active()
    return users.select_related("team", "role").order_by("-is_active", "full_name", "email")


def teams() -> QuerySet[Team]:
    return Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")


def roles() -> QuerySet[Role]:
    return Role.objects.annotate(
        member_count=Count("users", filter=Q(users__is_active=True))
    ).order_by("name")


def colleagues(user: User) -> QuerySet[User]:
    """The active people of the user's team (or just them, without a team)."""
    if user.team_id is None:
        return User.objects.filter(pk=user.pk)
    return by_name().filter(team_id=user.team_id)


def reported_on(user: User) -> list[User]:
    """Whose numbers and tasks a person oversees: their team's for a role with reports;
    everyone's for such a role that is in no team and sees every contact (an
    administrator); nobody's otherwise (a team of one is no team)."""
    if not permissions.can(user, "view_reports"):
        return []
    if user.team_id is not None:
        return list(colleagues(user))
    if permissions.scope(user, "contact", "view") == permissions.ALL:
        return list(by_name())
    return []


def overseen(user: User) -> list[User]:
    """The person and whoever they oversee (`reported_on`), by name: whose tasks they may
    change (activities) and whose figures the people page shows (analytics)."""
    members = reported_on(user)
    if any(person.pk == user.pk for person in members):
        return members
    return sorted([user, *members], key=lambda person: person.display_name.lower())


def since(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def assignable(user: User) -> QuerySet[User]:
    """Every active person, as the owner and assignee pickers list them (the API's users)."""
    return active().select_related("team", "role")
