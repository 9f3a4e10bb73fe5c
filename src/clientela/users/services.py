"""Every write to users: creating people and the first administrator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from clientela.users import permissions
from clientela.users.models import Role, Team, User


@dataclass(frozen=True)
class FirstAdministrator:
    user: User
    created: bool
    # Only set when Clientela made the password up: it is shown once and never stored.
    generated_password: str | None


def ensure_default_roles() -> None:
    """Create the roles a new installation starts with; existing ones are left as edited."""
    for key, (name, records, capabilities) in permissions.DEFAULT_ROLES.items():
        Role.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "permissions": {"records": records, "capabilities": capabilities},
            },
        )


def role_named(key: str) -> Role:
    role = Role.objects.filter(key=key).first()
    if role is None:
        ensure_default_roles()
        role = Role.objects.get(key=key)
    return role


def team_named(name: str) -> Team:
    team, _created = Team.objects.get_or_create(name=name.strip())
    return team


def create_user(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    administrator: bool = False,
    role: Role | None = None,
    team: Team | None = None,
) -> User:
    email = User.objects.normalize_email(email.strip()).lower()
    validate_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this e-mail address already exists."})
    candidate = User(email=email, full_name=full_name.strip())
    if password is not None:
        validate_password(password, candidate)
    with transaction.atomic():
        role = role or role_named("administrator" if administrator else permissions.DEFAULT_ROLE)
        if administrator:
            return User.objects.create_superuser(
                email, password, full_name=full_name.strip(), role=role, team=team
            )
        return User.objects.create_user(
            email, password, full_name=full_name.strip(), role=role, team=team
        )


def ensure_first_administrator(*, email: str, password: str | None) -> FirstAdministrator:
    """Create an administrator when the installation has none; leave an existing one alone."""
    with transaction.atomic():
        existing = (
            User.objects.filter(is_superuser=True, is_active=True).order_by("date_joined").first()
        )
        if existing is not None:
            return FirstAdministrator(user=existing, created=False, generated_password=None)
        generated = None
        if not password:
            generated = secrets.token_urlsafe(12)
            password = generated
        user = create_user(
            email=email, full_name="Administrator", password=password, administrator=True
        )
        return FirstAdministrator(user=user, created=True, generated_password=generated)
