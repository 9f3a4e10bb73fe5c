"""The timer's button on a task, a record's call composer or a ticket, and the line saying
which timer is running: from `running_timer`, read once a page (activities.context_processors)."""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientela.activities.models import TimerKind
from clientela.core import permissions

register = template.Library()


def _runs_on(entry, *, task=None, record=None, call: bool = False) -> bool:
    if not entry:
        return False
    if task is not None:
        return entry.task_id == task.pk
    if record is None or entry.kind != (TimerKind.CALL if call else TimerKind.RECORD):
        return False
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return (entry.content_type_id, entry.object_id) == (content_type.pk, record.pk)


def _elapsed(entry) -> int:
    return max(0, int((timezone.now() - entry.started_at).total_seconds()))


@register.inclusion_tag("activities/_timer_button.html", takes_context=True)
def timer_button(context, task=None, record=None, call: bool = False) -> dict:
    """Start (or, while it runs, stop) the timer on `task`, or on `record` (a call with its
    customer when `call`)."""
    entry = context.get("running_timer")
    runs = _runs_on(entry, task=task, record=record, call=call)
    # Timing work on a record logs on its timeline: a role that may not is offered no
    # button it would be refused (a task's own button is shown by its list's rule).
    shown = runs or task is not None or permissions.can(context["request"].user, "log_activity")
    return {
        "shown": shown,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "runs": runs,
        "entry": entry if runs else None,
        "elapsed": _elapsed(entry) if runs else 0,
        "task": task,
        "token": f"{record._meta.model_name}:{record.pk}" if record is not None else "",
        "call": call,
    }


@register.inclusion_tag("activities/_running_timer.html", takes_context=True)
def running_timer_line(context, record=None, call: bool = False) -> dict:
    """Which timer is running, since when, and its Stop button; nothing when none runs, or
    when it runs on `record` (whose own timer button says so)."""
    entry = context.get("running_timer")
    if _runs_on(entry, record=record, call=call):
        entry = None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "entry": entry or None,
        "elapsed": _elapsed(entry) if entry else 0,
    }
