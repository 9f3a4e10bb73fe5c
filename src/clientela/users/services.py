"""Every write to users: creating people and the first administrator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.core import audit, permissions
from clientela.users.models import Role, Team, User


@dataclass(frozen=True)
class FirstAdministrator:
    user: User
    created: bool
    # Only set when Clientela made the password up: it is shown once and never stored.
    generated_password: str | None


def ensure_default_roles() -> None:
    """Create the roles a new installation starts with; existing ones are left as edited."""
    for key, (name, _scopes, _capabilities) in permissions.DEFAULT_ROLES.items():
        Role.objects.get_or_create(
            key=key,
            defaults={"name": name, "permissions": permissions.default_role_permissions(key)},
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
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
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


def note_password_chosen(*, actor: User) -> None:
    """A person chose their own password (changed it, or set it through an invitation or
    reset link): in the audit trail, the password itself never."""
    audit.log(actor=actor, action="password", record=actor)


# Administration in the product: invite, change access, deactivate with hand-over -------
def _require_manager(actor: User | None) -> None:
    permissions.require(actor, "manage_users")


def user_snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "team": user.team.name if user.team is not None else None,
        "role": user.role.name if user.role is not None else None,
        "active": user.is_active,
        "administrator": user.is_superuser,
        "language": user.language,
    }


def role_snapshot(role: Role) -> dict:
    """Flat, so the History shows "contact.edit: own → team", not two nested documents."""
    granted = role.permissions or {}
    flat: dict[str, str | bool] = {"key": role.key, "name": role.name}
    for record_type, actions in sorted((granted.get("records") or {}).items()):
        for action, scope in sorted(actions.items()):
            flat[f"{record_type}.{action}"] = scope
    flat["capabilities"] = ", ".join(granted.get("capabilities") or [])
    flat["require_two_factor"] = bool(granted.get("require_two_factor"))
    return flat


def team_snapshot(team: Team) -> dict:
    return {"name": team.name}


def invitation_link(user: User, base_url: str) -> str:
    """Where an invited person chooses their password: a one-use link, like a reset."""
    path = reverse(
        "users:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def send_invitation(*, actor: User | None, user: User, base_url: str) -> None:
    _require_manager(actor)
    if not user.is_active:
        raise ValidationError(_("%(user)s is deactivated: reactivate them first.") % {"user": user})
    context = {
        "user": user,
        "inviter": actor.display_name if actor else "Clientela",
        "link": invitation_link(user, base_url),
    }
    # In the language the person chose, if they did; else in the inviter's.
    with translation.override(user.language or translation.get_language()):
        subject = render_to_string("users/invitation_subject.txt", context).strip()
        body = render_to_string("users/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


def invite_user(
    *, actor: User | None, email: str, full_name: str, team: Team | None, role: Role, base_url: str
) -> User:
    """A new colleague with no password yet: the e-mail sent holds the link to choose one.
    The invitation goes out once the account is saved, so a failed save sends nothing."""
    _require_manager(actor)
    with transaction.atomic():
        user = create_user(email=email, full_name=full_name, role=role, team=team)
        audit.log(actor=actor, action="create", record=user, after=user_snapshot(user))
        transaction.on_commit(lambda: send_invitation(actor=actor, user=user, base_url=base_url))
    return user


@transaction.atomic
def change_access(
    *, actor: User, user: User, team: Team | None, role: Role, full_name: str
) -> User:
    """Team, role and name of a colleague: a permission change, audited like any other."""
    _require_manager(actor)
    if user == actor and role != user.role and not permissions.can_with_role(role, "manage_users"):
        raise ValidationError(
            {"role": _("You cannot take away your own right to manage users: ask a colleague.")}
        )
    before = user_snapshot(user)
    user.team, user.role, user.full_name = team, role, full_name.strip()
    user.save(update_fields=["team", "role", "full_name"])
    audit.log(actor=actor, action="update", record=user, before=before, after=user_snapshot(user))
    return user


@transaction.atomic
def deactivate_user(*, actor: User, user: User, successor: User | None) -> dict[str, int]:
    """The person can no longer log in, and everything they held passes to `successor`
    in the same step: nothing is left owned by someone nobody can reach."""
    from clientela.core import handover

    _require_manager(actor)
    if user == actor:
        raise ValidationError(_("You cannot deactivate yourself: ask another administrator."))
    if not user.is_active:
        raise ValidationError(_("%(user)s is already deactivated.") % {"user": user})
    held = handover.held(user)
    if held and successor is None:
        raise ValidationError(
            {"successor": _("Choose who takes over their records before deactivating them.")}
        )
    if successor is not None and (successor == user or not successor.is_active):
        raise ValidationError({"successor": _("Choose an active colleague to take over.")})
    moved = {}
    for item in handover.HANDOVERS:
        records = list(item.held_by(user))
        if records:
            moved[str(item.label)] = item.hand_over(actor=actor, records=records, to=successor)
    before = user_snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.log(
        actor=actor,
        action="deactivate",
        record=user,
        before=before,
        after={**user_snapshot(user), "handed_over_to": successor.email if successor else None},
    )
    return moved


@transaction.atomic
def reactivate_user(*, actor: User, user: User) -> User:
    _require_manager(actor)
    before = user_snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.log(
        actor=actor, action="reactivate", record=user, before=before, after=user_snapshot(user)
    )
    return user


@transaction.atomic
def create_team(*, actor: User, name: str) -> Team:
    _require_manager(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("A team needs a name.")})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": _("There is already a team called %(name)s.") % {"name": name}}
        )
    team = Team.objects.create(name=name)
    audit.log(actor=actor, action="create", record=team, after=team_snapshot(team))
    return team


@transaction.atomic
def save_role(*, actor: User | None, role: Role | None, name: str, permissions_value: dict) -> Role:
    """Create or change a role; the permissions are checked for known scopes and
    capabilities, so a typo cannot silently grant or withhold anything."""
    _require_manager(actor)
    cleaned = permissions.clean_role_permissions(permissions_value)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("A role needs a name.")})
    clash = Role.objects.all() if role is None else Role.objects.exclude(pk=role.pk)
    clash = clash.filter(name__iexact=name)
    if clash.exists():
        raise ValidationError(
            {"name": _("There is already a role called %(name)s.") % {"name": name}}
        )
    if (
        role is not None
        and actor is not None
        and actor.role_id == role.pk  # their own role
        and "manage_users" not in cleaned["capabilities"]
        and not actor.is_superuser
    ):
        raise ValidationError(
            _("This is your own role: you cannot take away its right to manage users.")
        )
    if role is None:
        role = Role(key=_unique_role_key(name))
        before = None
        action = "create"
    else:
        before = role_snapshot(role)
        action = "update"
    role.name, role.permissions = name, cleaned
    role.save()
    audit.log(actor=actor, action=action, record=role, before=before, after=role_snapshot(role))
    return role


def _unique_role_key(name: str) -> str:
    base = slugify(name)[:34] or "role"
    key, number = base, 2
    while Role.objects.filter(key=key).exists():
        key, number = f"{base}-{number}", number + 1
    return key


# One's own account ---------------------------------------------------------------------
@transaction.atomic
def set_language(*, actor: User, language: str) -> User:
    """The language a person reads Clientela in (R28); blank follows their browser."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    before = user_snapshot(actor)
    actor.language = language
    actor.save(update_fields=["language"])
    audit.log(actor=actor, action="update", record=actor, before=before, after=user_snapshot(actor))
    return actor


@transaction.atomic
def dismiss_first_steps(*, actor: User) -> None:
    """Put the home page's "First steps" away for good."""
    if actor.first_steps_dismissed_at is not None:
        return
    actor.first_steps_dismissed_at = timezone.now()
    actor.save(update_fields=["first_steps_dismissed_at"])
    audit.log(
        actor=actor,
        action="update",
        record=actor,
        before={"first steps": "shown"},
        after={"first steps": "dismissed"},
    )


@transaction.atomic
def renew_calendar_token(*, actor: User) -> str:
    """A new secret address for one's calendar feed; the former one stops working."""
    before = "on" if actor.calendar_token else "off"
    actor.calendar_token = secrets.token_urlsafe(32)
    actor.save(update_fields=["calendar_token"])
    audit.log(
        actor=actor,
        action="update",
        record=actor,
        before={"calendar feed": before},
        after={"calendar feed": "new address"},
    )
    return actor.calendar_token


@transaction.atomic
def revoke_calendar_token(*, actor: User) -> None:
    """No calendar feed any more: its address stops working."""
    if not actor.calendar_token:
        return
    actor.calendar_token = ""
    actor.save(update_fields=["calendar_token"])
    audit.log(
        actor=actor,
        action="update",
        record=actor,
        before={"calendar feed": "on"},
        after={"calendar feed": "off"},
    )
