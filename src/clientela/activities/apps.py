"""Registers the activities app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "clientela.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from clientela.activities.models import Activity, Attachment, Task
        from clientela.core import audit, events

        audit.register(
            Activity,
            lambda a: {
                "kind": a.kind,
                "subject": a.subject,
                "body": a.body,
                "occurred_at": a.occurred_at,
                "outcome": a.outcome,
                "duration_seconds": a.duration_seconds,
            },
        )
        audit.register(
            Task,
            lambda t: {
                "title": t.title,
                "notes": t.notes,
                "due_at": t.due_at,
                "reminder_at": t.reminder_at,
                "assignee": t.assignee.email,
                "priority": t.priority,
                "done_at": t.done_at,
            },
        )
        audit.register(Attachment, lambda f: {"name": f.name, "size": f.size})
        from clientela.activities.models import CallOutcome
        from clientela.core import change_display

        # A call's outcome is kept as its value ("no_answer"); people read its label.
        change_display.declare(
            "activity", "outcome", lambda value: dict(CallOutcome.choices).get(value, value)
        )
        events.declare("activity", "created")
        events.declare("task", "created", "updated", "completed")

        from clientela.activities.services import reassign_tasks
        from clientela.core import handover

        handover.register(
            handover.Handover(
                label=_("open tasks"),
                held_by=lambda user: Task.objects.filter(assignee=user, done_at__isnull=True),
                hand_over=reassign_tasks,
            )
        )
