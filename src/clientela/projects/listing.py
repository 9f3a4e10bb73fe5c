"""The projects list: its columns and sorts (the list machinery is core.listing's)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core import custom_fields
from clientela.core.listing import Cell, Column, ListSpec, person_cell


def _client_cell(project) -> Cell:
    client = project.client
    return Cell(str(client), client.get_absolute_url(), "link") if client is not None else Cell()


def _date_cell(day) -> Cell:
    return Cell(day.isoformat() if day else "")


def project_spec(user) -> ListSpec:
    columns = [
        Column(
            "name", _("Project"), lambda p: Cell(p.name, p.get_absolute_url(), "link"), sort="name"
        ),
        Column("client", _("Client"), _client_cell),
        Column("status", _("Status"), lambda p: Cell(p.get_status_display(), kind="badge")),
        Column("start", _("Start date"), lambda p: _date_cell(p.start_date)),
        Column("due", _("Due date"), lambda p: _date_cell(p.due_date)),
        Column("owner", _("Owner"), lambda p: person_cell(p.owner)),
        Column(
            "updated",
            _("Updated"),
            lambda p: Cell(kind="date", extra=p.updated_at),
            sort="updated",
        ),
    ]
    return ListSpec(
        record_type="project",
        columns=columns,
        sorts={
            "name": ["name_key", "id"],
            "updated": ["updated_at", "id"],
        },
        default_sort="name",
        custom=custom_fields.definitions("project", user),
    )
