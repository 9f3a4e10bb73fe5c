"""The person acting, as the kernel reads them: `users.User` fits these shapes, and the
kernel, which sits below the users app, names them without importing it."""

from __future__ import annotations

from typing import Any, Protocol

from django.http import HttpRequest


class RoleRecord(Protocol):
    @property
    def permissions(self) -> Any: ...


class TeamRecord(Protocol):
    # The reverse manager of User.team; its model is the users app's, unknown here.
    @property
    def members(self) -> Any: ...


class Actor(Protocol):
    """A logged-in person: who they are, their team and their role's permissions."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def initials(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def team_id(self) -> int | None: ...

    @property
    def team(self) -> TeamRecord | None: ...

    @property
    def role(self) -> RoleRecord | None: ...


class ActorRequest(HttpRequest):
    """A request behind `LoginRequiredMiddleware`: every view that is not marked
    `login_not_required` is reached only by a logged-in person, never AnonymousUser."""

    # The stubs type `user` as the user model or AnonymousUser for every request; the
    # middleware rules the anonymous one out here, which a Protocol cannot express as a
    # subtype of the model.
    user: Actor  # type: ignore[assignment]
