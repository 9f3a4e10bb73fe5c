"""The Jobs page for administrators: queued, running and failed jobs, and retry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clientela.core.permissions import capability_required
from clientela.jobs import selectors, services

if TYPE_CHECKING:
    from clientela.users.requests import AuthenticatedRequest

settings_managers = capability_required("manage_settings")


@require_safe
@settings_managers
def board(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "board": selectors.board(),
        "workers": selectors.workers(),
        "backend": selectors.backend_label(),
    }
    return render(request, "jobs/board.html", context)


@require_POST
@settings_managers
def retry(request: AuthenticatedRequest, job_id: str) -> HttpResponse:
    if services.retry(actor=request.user, job_id=job_id):
        messages.success(request, _("The job is queued again."))
    else:
        messages.error(request, _("That job is not failed any more, so there is nothing to retry."))
    return redirect("jobs:board")
