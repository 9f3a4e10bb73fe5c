"""Pages and fragments of notifications: the list, the bell's count and menu, mark read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from clientela.core import redirects
from clientela.notifications import selectors, services
from clientela.notifications.forms import PreferencesForm

if TYPE_CHECKING:
    from clientela.users.requests import AuthenticatedRequest


@require_safe
def index(request: AuthenticatedRequest) -> HttpResponse:
    preference = services.preferences_for(request.user)
    form = PreferencesForm(initial={"in_app": preference.in_app, "email": preference.email})
    return _render_index(request, form)


def _render_index(
    request: AuthenticatedRequest, form: PreferencesForm, status: int = 200
) -> HttpResponse:
    context = {"notifications": selectors.latest(request.user), "form": form}
    return render(request, "notifications/index.html", context, status=status)


@require_POST
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _render_index(request, form, status=400)
    services.set_preferences(actor=request.user, user=request.user, **form.cleaned_data)
    messages.success(request, _("Your notification preferences are saved."))
    return redirect("notifications:index")


@never_cache
@require_safe
def bell(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "notifications/bell_count.html")


@never_cache
@require_safe
def menu(request: AuthenticatedRequest) -> HttpResponse:
    context = {"notifications": selectors.latest(request.user, selectors.IN_MENU)}
    return render(request, "notifications/menu.html", context)


@require_POST
def open_notification(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    notification = services.mark_read(actor=request.user, notification_id=notification_id)
    if notification is None:
        messages.error(request, _("That notification is not there any more."))
        return redirect("notifications:index")
    return redirect(redirects.safe_url(request, notification.url) or "notifications:index")


@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirects.back(request, "notifications:index")
