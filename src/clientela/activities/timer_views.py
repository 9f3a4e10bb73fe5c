"""Starting and stopping the timer from a task, a record's call composer or a ticket."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.activities import selectors, timers
from clientela.activities.forms import TimerForm
from clientela.core import redirects
from clientela.core.records import visible_record
from clientela.core.templatetags.ui import duration


@require_POST
def timer_start(request):
    form = TimerForm(request.POST)
    if not form.is_valid() or not (form.cleaned_data["task"] or form.cleaned_data["record"]):
        raise Http404
    data = form.cleaned_data
    task = record = None
    if data["task"]:
        task = get_object_or_404(selectors.changeable_tasks(request.user), pk=data["task"])
    else:
        record = visible_record(request.user, data["record"])
    try:
        timers.start_timer(actor=request.user, task=task, record=record, call=data["call"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        messages.success(request, _("Timer started."))
    return redirects.back(request, "activities:my-day")


@require_POST
def timer_stop(request):
    try:
        entry = timers.stop_timer(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Timer stopped: %(time)s recorded.") % {"time": duration(entry.seconds)},
        )
    return redirects.back(request, "activities:my-day")
