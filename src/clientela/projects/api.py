"""Projects in the API: the projects list's own filters and sorts, and every write through
the project services (permissions, validation, audit, versions, trash)."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from clientela.api.registry import Resource, register
from clientela.api.requests import api_field_names
from clientela.api.types import Date, Id, exactly_one_of, name_text, text
from clientela.customers import selectors as customer_selectors
from clientela.customers.api import service_data
from clientela.projects import listing, selectors, services
from clientela.projects.models import Project, ProjectStatus

# The services' names for fields → the API's, so a 422 points at the field that was sent.
API_NAMES = {"client": "company_id"}


class ProjectOut(Schema):
    id: int
    version: int
    name: str
    status: str
    company_id: int | None
    contact_id: int | None
    start_date: datetime.date | None
    due_date: datetime.date | None
    description: str
    owner_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProjectFields(Schema):
    status: Literal[tuple(ProjectStatus.values)] | None = None
    start_date: Date | None = None
    due_date: Date | None = None
    description: text(5000) | None = None
    owner_id: Id | None = None


class ProjectIn(ProjectFields):
    """A project is for one client: the schema asks for exactly one of company_id and
    contact_id, as the service does."""

    # Neither field is nullable: a key given means a client given.
    model_config = exactly_one_of("company_id", "contact_id")

    name: name_text(200)
    company_id: Id = Field(None, description="The client: a company, or…")  # type: ignore[assignment]
    contact_id: Id = Field(None, description="…a person (exactly one of the two).")  # type: ignore[assignment]


class ProjectUpdate(ProjectFields):
    name: name_text(200) = Field(None)
    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")


class ProjectFilters(Schema):
    """The filters of the projects list, by the same names as the page's."""

    q: text(200) | None = None
    status: Literal[tuple(ProjectStatus.values)] | None = None
    owner: str | None = Field(
        None, pattern=r"^(me|none|[0-9]{1,18})$", description="`me`, `none` or a user id."
    )


FIELDS = (
    "id",
    "version",
    "name",
    "status",
    "company_id",
    "contact_id",
    "start_date",
    "due_date",
    "description",
    "owner_id",
    "created_at",
    "updated_at",
)


def project_out(project: Project, user) -> dict:
    return {name: getattr(project, name) for name in FIELDS}


def _project_data(user, data: dict) -> dict:
    """API fields → the service's: the client and owner as records the user may use."""
    company_id, contact_id = data.pop("company_id", None), data.pop("contact_id", None)
    data = service_data(user, "project", data, None)
    if company_id and contact_id:
        raise ValidationError({"company_id": _("A project is for a company or a person.")})
    if company_id:
        data["client"] = customer_selectors.companies_for(user).filter(pk=company_id).first()
        if data["client"] is None:
            raise ValidationError({"company_id": _("There is no such company.")})
    elif contact_id:
        data["client"] = customer_selectors.contacts_for(user).filter(pk=contact_id).first()
        if data["client"] is None:
            raise ValidationError({"contact_id": _("There is no such contact.")})
    for name in ("name", "status", "description"):
        if name in data and data[name] is None:
            data.pop(name)
    return data


def create_project(user, data: dict) -> Project:
    with api_field_names(API_NAMES):
        data = _project_data(user, data)
        if "client" not in data:
            raise ValidationError({"company_id": _("A project is for a company or a person.")})
        return services.create_project(actor=user, data=data)


def update_project(user, project: Project, data: dict, expected: int | None) -> Project:
    with api_field_names(API_NAMES):
        return services.update_project(
            actor=user, project=project, data=_project_data(user, data), expected_version=expected
        )


def filter_projects(user, queryset, params: dict, raw):
    data = {key: value for key, value in params.items() if value not in (None, "")}
    if data.get("owner", "").isdigit():
        data["owner"] = int(data["owner"])
    return selectors.filter_list(user, queryset, data)


register(
    Resource(
        name="projects",
        label="project",
        model=Project,
        out=ProjectOut,
        queryset=selectors.project_list,
        serialize=project_out,
        list_spec=listing.project_spec,
        default_sort="name",
        filters=ProjectFilters,
        apply_filters=filter_projects,
        updated_field="updated_at",
        create_in=ProjectIn,
        create=create_project,
        update_in=ProjectUpdate,
        update=update_project,
        delete=lambda user, project: services.trash_project(actor=user, project=project),
        versioned=True,
        description="Work done for a client (a company or a person): the projects list's "
        "filters and sorts; a project's tasks, meetings and files are the tasks' and "
        "activities' own, on `project:<id>`.",
    )
)
