"""Every read of projects, limited to what the user may see: a project shows only to
someone who may see its client, within their role's scope on projects."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from clientela.core import permissions
from clientela.core.search import matching_ids
from clientela.projects.models import OPEN_STATUSES, Project

CLIENT_PANEL_ROWS = 10


def projects_for(user, action: str = "view") -> QuerySet[Project]:
    """The one visibility rule for projects: live ones within the role's scope on projects,
    of a client (company or person) the user may see."""
    clients = permissions.through(user, "company", "company") | permissions.through(
        user, "contact", "contact"
    )
    return Project.objects.live().visible_to(user, action).filter(clients)


def project_list(user) -> QuerySet[Project]:
    return projects_for(user).select_related("company", "contact", "owner")


def project_detail(user, pk: int) -> Project:
    return project_list(user).get(pk=pk)


def filter_list(user, queryset: QuerySet[Project], data: dict) -> QuerySet[Project]:
    """The list's filters (status, owner) and its search, as the page offers them."""
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    owner = data.get("owner")
    if owner == "me":
        queryset = queryset.filter(owner=user)
    elif owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        queryset = queryset.filter(owner_id=owner.pk if hasattr(owner, "pk") else owner)
    if data.get("q"):
        queryset = queryset.filter(pk__in=matching_ids(data["q"], Project))
    return queryset


def client_projects(user, record) -> list[Project]:
    """A client's projects for its page: those still to do first, soonest due first."""
    field = "company" if record._meta.model_name == "company" else "contact"
    still_open = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    rows = (
        projects_for(user)
        .filter(**{field: record})
        .select_related("owner")
        .annotate(closed=still_open)
        .order_by("closed", "due_date", "id")
    )
    return list(rows[:CLIENT_PANEL_ROWS])
