"""Who may see and change what: the one enforcement point. Selectors limit reads with
`limit`, services check writes with `check`; views and the API never decide on their own."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from clientela.core.actors import Actor, ActorRequest, RoleRecord

_Q = TypeVar("_Q", bound=QuerySet[Any])
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

NONE, OWN, TEAM, ALL = "none", "own", "team", "all"
SCOPES = (NONE, OWN, TEAM, ALL)
ACTIONS = ("view", "edit", "delete")
CAPABILITIES = (
    "log_activity",  # write on the timelines, tasks and files of records one can see
    "export",
    "import",
    "see_sensitive",  # tax ids, amounts, custom fields marked sensitive
    "restore_versions",
    "purge_trash",
    "manage_users",
    "manage_settings",
    "manage_catalogue",  # products, price lists, stock, warehouses, carriers
    "view_reports",
    "view_audit_trail",  # browse and export the audit trail of every record
)


def record_types() -> list[str]:
    """The record types roles give scopes on, in the order the roles page lists them: those
    the apps declared (core.records), none named here."""
    from clientela.core import records  # records builds on this module, not the reverse

    return list(records.TYPES)


def record_type_label(record_type: str) -> StrOrPromise:
    """What the roles page calls a record type ("Contacts")."""
    from clientela.core import records

    declared = records.TYPES.get(record_type)
    return declared.label if declared is not None else record_type


def type_default_scopes(record_type: str) -> dict[str, tuple[str, str, str]]:
    """A record type's own scopes (view, edit, delete) for some default roles, where the
    role's usual ones do not fit: a support agent answers every ticket, not only their own."""
    from clientela.core import records

    declared = records.TYPES.get(record_type)
    return declared.default_scopes if declared is not None else {}


CAPABILITY_LABELS = {
    "log_activity": gettext_lazy("Log activities, tasks and files on records they can see"),
    "export": gettext_lazy("Export lists"),
    "import": gettext_lazy("Import data"),
    "see_sensitive": gettext_lazy("See sensitive fields (tax ids, amounts, marked fields)"),
    "restore_versions": gettext_lazy("Restore earlier versions of records"),
    "purge_trash": gettext_lazy("Purge the trash for good"),
    "manage_users": gettext_lazy("Manage people, teams and roles"),
    "manage_settings": gettext_lazy("Manage settings, backups and jobs"),
    "manage_catalogue": gettext_lazy("Manage products, prices, stock and carriers"),
    "view_reports": gettext_lazy("See team reports"),
    "view_audit_trail": gettext_lazy("Browse and export the audit trail"),
}


def _scopes(view: str, edit: str, delete: str) -> dict[str, str]:
    return {"view": view, "edit": edit, "delete": delete}


# The roles a new installation starts with (editable after): a name, the scopes (view,
# edit, delete) on every record type, and the capabilities.
DEFAULT_ROLES: dict[str, tuple[str, tuple[str, str, str], list[str]]] = {
    "administrator": ("Administrator", (ALL, ALL, ALL), list(CAPABILITIES)),
    "manager": (
        "Manager",
        (ALL, TEAM, TEAM),
        ["log_activity", "export", "see_sensitive", "restore_versions", "view_reports"],
    ),
    "sales-representative": ("Sales representative", (TEAM, OWN, OWN), ["log_activity"]),
    "support-agent": ("Support agent", (ALL, OWN, NONE), ["log_activity"]),
    "marketing": ("Marketing", (ALL, OWN, NONE), ["log_activity", "export"]),
    "read-only": ("Read-only", (ALL, NONE, NONE), []),
}


# Their names, stored in English and shown in the reader's language (users.Role.label).
SEEDED_ROLE_NAMES = {
    "Administrator": pgettext_lazy("role", "Administrator"),
    "Manager": pgettext_lazy("role", "Manager"),
    "Sales representative": pgettext_lazy("role", "Sales representative"),
    "Support agent": pgettext_lazy("role", "Support agent"),
    "Marketing": pgettext_lazy("role", "Marketing"),
    "Read-only": pgettext_lazy("role", "Read-only"),
}


def default_role_permissions(key: str) -> dict[str, Any]:
    """A default role's permissions over the record types declared now."""
    _name, scopes, capabilities = DEFAULT_ROLES[key]
    return {
        "records": {
            record_type: _scopes(*type_default_scopes(record_type).get(key, scopes))
            for record_type in record_types()
        },
        "capabilities": list(capabilities),
    }


DEFAULT_ROLE = "sales-representative"


# Built-in fields only roles with "see_sensitive" see, by record type (or audit shape:
# an invoice's total), declared by the apps; custom fields say it themselves.
SENSITIVE_FIELDS: dict[str, set[str]] = {}


def declare_sensitive(record_type: str, fields: set[str] | frozenset[str]) -> None:
    SENSITIVE_FIELDS.setdefault(record_type, set()).update(fields)


HIDDEN = "•••"


def sees_sensitive(user: Actor | None) -> bool:
    return user is None or can(user, "see_sensitive")


def sensitive_fields(record_type: str) -> frozenset[str]:
    """Built-in field names of this record type that only "see_sensitive" shows."""
    return frozenset(SENSITIVE_FIELDS.get(record_type, ()))


def hidden_fields(user: Actor | None, record_type: str) -> set[str]:
    """Built-in field names the user may not see on this record type."""
    return set() if sees_sensitive(user) else set(sensitive_fields(record_type))


def scope(user: Actor | None, record_type: str, action: str = "view") -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return NONE
    if user.is_superuser:
        return ALL
    role = user.role
    if role is None:
        return NONE
    value = role.permissions.get("records", {}).get(record_type, {}).get(action, NONE)
    return value if value in SCOPES else NONE


def can(user: Actor | None, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role is not None and capability in user.role.permissions.get("capabilities", [])


def can_with_role(role: RoleRecord | None, capability: str) -> bool:
    """Whether a role (not yet a user's) holds a capability: for checks before a change."""
    return role is not None and capability in role.permissions.get("capabilities", [])


def clean_role_permissions(value: dict[str, Any]) -> dict[str, Any]:
    """A role's permissions with every record type and action given a known scope and only
    known capabilities: a typo in an edited role can neither grant nor withhold silently."""
    from django.core.exceptions import ValidationError

    records: dict[str, dict[str, str]] = {}
    for record_type in record_types():
        given = (value.get("records") or {}).get(record_type) or {}
        records[record_type] = {}
        for action in ACTIONS:
            granted = given.get(action, NONE)
            if granted not in SCOPES:
                raise ValidationError(
                    _("%(scope)r is not a scope: use one of %(scopes)s.")
                    % {"scope": granted, "scopes": ", ".join(SCOPES)}
                )
            records[record_type][action] = granted
    capabilities = list(value.get("capabilities") or [])
    unknown = sorted(set(capabilities) - set(CAPABILITIES))
    if unknown:
        raise ValidationError(_("Unknown capabilities: %(names)s.") % {"names": ", ".join(unknown)})
    return {
        "records": records,
        "capabilities": [name for name in CAPABILITIES if name in capabilities],
        "require_two_factor": bool(value.get("require_two_factor")),
    }


def team_member_ids(user: Actor) -> list[int]:
    """The user and their teammates: a short list, so the filter stays an index lookup.
    Read once per user object (a request's user lives one request), not once per panel:
    a record page asks for it in each of its cards."""
    team = user.team if user.team_id is not None else None
    if team is None:
        return [user.pk]
    cached = getattr(user, "_team_member_ids", None)
    if cached is not None and cached[0] == user.team_id:
        return list(cached[1])
    ids = list(team.members.filter(is_active=True).values_list("pk", flat=True))
    ids = ids if user.pk in ids else [*ids, user.pk]
    setattr(user, "_team_member_ids", (user.team_id, tuple(ids)))  # noqa: B010
    return ids


def owner_filter(
    user: Actor | None, record_type: str, action: str = "view", path: str = ""
) -> Q | None:
    """The condition on `owner` a record must meet; None when every record qualifies.
    With `path` ("company"), the condition on the record reached through that relation."""
    granted = scope(user, record_type, action)
    if granted == ALL:
        return None
    prefix = f"{path}__" if path else ""
    # No one (scope NONE) is None here; the checks on `user` only tell the type checker.
    if granted == TEAM and user is not None:
        return Q(**{f"{prefix}owner_id__in": team_member_ids(user)})
    if granted == OWN and user is not None:
        return Q(**{f"{prefix}owner_id": user.pk})
    return Q(**{f"{prefix}pk__in": []})


def through(user: Actor | None, record_type: str, path: str, action: str = "view") -> Q:
    """Records whose related `path` (a foreign key to a `record_type`) is set, live, and
    one `user` may `action`: the one visibility rule said on a join, not a subquery. A list
    walking its own index then stops after a page; `path__in=<visible ids>` made
    PostgreSQL hash every visible company (100,000 at 1M contacts) before the first row."""
    condition = Q(**{f"{path}__isnull": False, f"{path}__deleted_at__isnull": True})
    owner = owner_filter(user, record_type, action, path)
    return condition if owner is None else condition & owner


def limit(user: Actor | None, queryset: _Q, record_type: str, action: str = "view") -> _Q:
    condition = owner_filter(user, record_type, action)
    return queryset if condition is None else queryset.filter(condition)


def allows(user: Actor | None, record: Any, action: str) -> bool:
    return allows_of_type(user, record._meta.model_name, action)(record)


def allows_of_type(user: Actor | None, record_type: str, action: str) -> Callable[[Any], bool]:
    """`allows` for many records of one type: the role is asked once, then each record
    answers by its owner alone (a list's related links ask it fifty times a page)."""
    if user is None:  # the system itself: migrations, jobs, demo data
        return _anyone
    granted = scope(user, record_type, action)
    if granted == ALL:
        return _anyone
    if granted == TEAM:
        team = frozenset(team_member_ids(user))
        return lambda record: record.owner_id in team
    if granted == OWN:
        pk = user.pk
        return lambda record: record.owner_id == pk
    return _no_one


def _anyone(record: Any) -> bool:
    return True


def _no_one(record: Any) -> bool:
    return False


def check(user: Actor | None, record: models.Model, action: str) -> None:
    """Raise PermissionDenied unless `user` may `action` this record."""
    if not allows(user, record, action):
        raise PermissionDenied(_("You may not change %(record)s.") % {"record": record})


def may_add(user: Actor | None, record_type: str) -> bool:
    """Whether `user` may add records of `record_type`: any edit scope but none. The
    system itself (None: migrations, jobs, demo data) may."""
    return user is None or scope(user, record_type, "edit") != NONE


def check_add(user: Actor | None, record_type: str) -> None:
    """Raise PermissionDenied unless `user` may add records of `record_type`: the one rule
    behind every service that creates a record and every "new" page."""
    if not may_add(user, record_type):
        from clientela.core import records

        declared = records.TYPES.get(record_type)
        kind = declared.model._meta.verbose_name_plural if declared is not None else record_type
        raise PermissionDenied(
            _("Your role does not allow adding %(records)s.") % {"records": kind}
        )


def adding_required(record_type: str) -> Callable[[_View], _View]:
    """A view decorator for a "new" page: 403 unless the user's role may add `record_type`,
    so a form that could never be saved is not offered."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            check_add(request.user, record_type)
            return view(request, *args, **kwargs)

        return cast("_View", wrapped)

    return decorate


def require(user: Actor | None, capability: str) -> None:
    if user is not None and not can(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))


def capability_required(capability: str) -> Callable[[_View], _View]:
    """A view decorator: 403 unless the user's role has `capability`."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not can(request.user, capability):
                raise PermissionDenied(_("Your role does not allow this."))
            return view(request, *args, **kwargs)

        return cast("_View", wrapped)

    return decorate
