"""Registers the projects app: projects as records with a timeline, an audit shape, a
search entry, the trash, a history and a hand-over."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "clientela.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from clientela.core import record_services
        from clientela.core.handover import Handover
        from clientela.core.records import RecordType, declare
        from clientela.projects import services
        from clientela.projects.models import OPEN_STATUSES, Project
        from clientela.projects.selectors import projects_for

        declare(
            RecordType(
                model=Project,
                selector=projects_for,
                create_url="projects:create",
                snapshot=project_snapshot,
                document=project_document,
                # A project's calls, meetings and notes show on its client's timeline too.
                rolls_up_to=lambda project: [project.client] if project.client else [],
                handover=Handover(
                    label=_("open projects"),
                    held_by=lambda user: Project.objects.filter(
                        owner=user, status__in=OPEN_STATUSES
                    ),
                    hand_over=lambda *, actor, records, to: record_services.assign_owner(
                        actor=actor, records=records, owner=to
                    ),
                ),
                restore=services.restore_version,
            )
        )


def project_snapshot(project) -> dict:
    client = project.client
    return {
        "name": project.name,
        "status": project.status,
        "client": str(client) if client is not None else "",
        "start_date": project.start_date,
        "due_date": project.due_date,
        "description": project.description,
        "owner": project.owner.email if project.owner_id else "",
    }


def project_document(project):
    from clientela.core.search import Document

    client = project.client
    client_name = str(client) if client is not None else ""
    return Document(
        title=project.name,
        subtitle=" · ".join(part for part in (client_name, project.get_status_display()) if part),
        parts=[client_name, project.description[:500]],
        owner_id=project.owner_id,
    )
