"""The Jobs page for administrators: queued, running and failed jobs, and retry."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.jobs import selectors, services
from clientela.users import permissions


def _staff_only(request) -> None:
    permissions.require(request.user, "manage_settings")


@require_safe
def board(request):
    _staff_only(request)
    context = {
        "board": selectors.board(),
        "workers": selectors.workers(),
        "backend": selectors.backend_label(),
    }
    return render(request, "jobs/board.html", context)


@require_POST
def retry(request, job_id: str):
    _staff_only(request)
    if services.retry(actor=request.user, job_id=job_id):
        messages.success(request, _("The job is queued again."))
    else:
        messages.error(request, _("That job is not failed any more, so there is nothing to retry."))
    return redirect("jobs:board")
