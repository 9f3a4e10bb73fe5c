"""The public request form: anyone may ask for help without logging in. A field people
never see (a bot filling every field fills it too) and a rate limit per address keep
spam out; the request becomes a ticket through the one intake service."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from ninja.throttling import SimpleRateThrottle

from clientela.core import audit
from clientela.core.forms import add_service_errors
from clientela.tickets import services
from clientela.tickets.forms import PublicRequestForm
from clientela.tickets.models import Channel

SESSION_KEY = "support_request"


class PerAddressThrottle(SimpleRateThrottle):
    """Requests sent per hour from one address, counted in the Django cache as the API's
    rate limit is (shared through Redis in server mode)."""

    scope = "support-form"

    def get_rate(self) -> str:
        return f"{settings.SUPPORT_FORM_RATE_PER_HOUR}/h"

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return f"support-form:{audit.client_ip(request) or 'unknown'}"


@login_not_required
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not PerAddressThrottle().allow_request(request):
            form.add_error(
                None, _("Too many requests from your address: please try again in an hour.")
            )
            status = 429
        elif form.is_valid() and form.cleaned_data["website"]:
            # A bot: answered as if all went well, and nothing is kept.
            return redirect("tickets:public-thanks")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.open_ticket(
                    actor=None,
                    channel=Channel.WEB_FORM,
                    subject=data["subject"],
                    description=data["description"],
                    email=data["email"],
                    name=data["name"],
                    # The visitor's language, as the page was shown in: rules may route by it.
                    language=str(getattr(request, "LANGUAGE_CODE", "") or "")[:10],
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[SESSION_KEY] = ticket.pk
                return redirect("tickets:public-thanks")
        if form.errors and status == 200:
            status = 400
    return render(request, "tickets/public_form.html", {"form": form}, status=status)


@login_not_required
@require_safe
def request_thanks(request: HttpRequest) -> HttpResponse:
    """The number of the ticket this browser just sent: kept in its session, so no one can
    read other people's numbers here."""
    return render(
        request, "tickets/public_thanks.html", {"number": request.session.get(SESSION_KEY)}
    )
