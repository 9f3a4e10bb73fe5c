"""Every write to projects: create, edit, trash and restore, each checked, versioned,
audited and kept in step with search."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core import audit, permissions, search
from clientela.core.concurrency import claim_version
from clientela.core.record_services import fresh, trash_record, untrash_record
from clientela.core.text import fold
from clientela.customers.models import Company, Contact
from clientela.projects.models import Project, ProjectStatus

if TYPE_CHECKING:
    from clientela.users.models import User

PROJECT_FIELDS = ("name", "status", "start_date", "due_date", "description", "owner")


def _client(data: dict[str, Any]) -> tuple[Company | None, Contact | None] | None:
    """The client `data` names: ("client": a Company or a Contact); None to leave it."""
    if "client" not in data:
        return None
    client = data["client"]
    if isinstance(client, Company):
        return client, None
    if isinstance(client, Contact):
        return None, client
    raise ValidationError({"client": _("A project is for a company or a person.")})


def _apply(project: Project, data: dict[str, Any]) -> None:
    for key in PROJECT_FIELDS:
        if key in data:
            value = data[key]
            setattr(project, key, value.strip() if isinstance(value, str) else value)
    project.name = " ".join(project.name.split())[:200]
    if not project.name:
        raise ValidationError({"name": _("A project needs a name.")})
    project.name_key = fold(project.name)[:200]
    if project.status not in ProjectStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    start, due = project.start_date, project.due_date
    if isinstance(start, datetime.date) and isinstance(due, datetime.date) and due < start:
        raise ValidationError({"due_date": _("The due date cannot be before the start date.")})
    client = _client(data)
    if client is not None:
        project.company, project.contact = client
    if project.company_id is None and project.contact_id is None:
        raise ValidationError({"client": _("A project is for a company or a person.")})


def _finish(actor: User | None, project: Project, before: dict | None, action: str) -> Project:
    search.index(project)
    fresh(project)
    audit.log(
        actor=actor, action=action, record=project, before=before, after=audit.snapshot(project)
    )
    return project


@transaction.atomic
def create_project(*, actor: User | None, data: dict[str, Any]) -> Project:
    """A new project for data["client"], owned by the actor unless data says otherwise."""
    permissions.check_add(actor, "project")
    project = Project()
    _apply(project, {"owner": actor, **data})
    project.save()
    return _finish(actor, project, None, "create")


@transaction.atomic
def update_project(
    *, actor: User | None, project: Project, data: dict[str, Any], expected_version: int | None
) -> Project:
    """Change the given fields; a stale version is refused (core.concurrency)."""
    permissions.check(actor, project, "edit")
    claim_version(project, expected_version)
    before = audit.snapshot(project)
    _apply(project, dict(data))
    project.save()
    return _finish(actor, project, before, "update")


@transaction.atomic
def trash_project(*, actor: User | None, project: Project) -> None:
    trash_record(actor=actor, record=project)


@transaction.atomic
def restore_project(*, actor: User | None, project: Project) -> None:
    untrash_record(actor=actor, record=project)


def restore_version(*, actor: User, record: Project, state: dict, action: str) -> Project:
    """Bring a project back to an audit snapshot (the history's "Restore this version");
    the client stays: a snapshot names it, and it may have gone since."""
    data: dict[str, Any] = {
        key: state[key] for key in ("name", "status", "description") if key in state
    }
    for key in ("start_date", "due_date"):
        if key in state:
            data[key] = datetime.date.fromisoformat(state[key]) if state[key] else None
    permissions.check(actor, record, "edit")
    claim_version(record, None)
    before = audit.snapshot(record)
    _apply(record, data)
    record.save()
    return _finish(actor, record, before, action)
