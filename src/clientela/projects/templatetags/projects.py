"""Template tags of the projects app: the Projects card on a client's page."""

from django import template

from clientela.core import permissions, presenting
from clientela.projects import selectors

register = template.Library()


@register.inclusion_tag("projects/_client_projects.html", takes_context=True)
def client_projects(context, record, record_type: str):
    user = context["request"].user
    record = presenting.underlying(record)  # the page hands its presented record
    return {
        "projects": selectors.client_projects(user, record),
        "may_add": permissions.scope(user, "project", "edit") != permissions.NONE,
        "token": f"{record_type}:{record.pk}",
    }
