"""Log in (with a second step when two-factor is on), the lockout page, two-factor set-up."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import segno
from axes.helpers import get_credentials
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clientela.security import lockout, selectors, services
from clientela.security.forms import CodeForm, LoginCodeForm
from clientela.users import selectors as user_selectors
from clientela.users import two_factor
from clientela.users.forms import EmailAuthenticationForm
from clientela.users.models import User

if TYPE_CHECKING:
    from clientela.users.requests import AuthenticatedRequest

# The password step's result, kept in the session until the code is typed. The session
# is not logged in meanwhile: every other page still sends the person to log in.
PENDING = "security.pending_login"
PENDING_SECONDS = 5 * 60
NEW_CODES = "security.new_recovery_codes"
# From how many failures on, the login page says how many attempts are left.
WARN_AFTER_FAILURES = 2


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not selectors.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("security:login-code")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Set by django-axes while it counted this request's failure; said under the
        # "do not match" error, so the person knows before the lock, not after.
        failures = getattr(self.request, "axes_failures_since_start", None)
        if failures and failures >= WARN_AFTER_FAILURES:
            left = max(settings.CLIENTELA_LOGIN_FAILURES - failures, 0)
            form.add_error(
                None,
                ngettext(
                    "%(left)d more failed attempt pauses logging in for %(minutes)d minutes.",
                    "%(left)d more failed attempts pause logging in for %(minutes)d minutes.",
                    left,
                )
                % {"left": left, "minutes": settings.CLIENTELA_LOCKOUT_MINUTES},
            )
        return super().form_invalid(form)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout response: the login page saying when to try again."""
    email = lockout.username(request, credentials) or ""
    request.session.pop(PENDING, None)
    context = {
        "form": EmailAuthenticationForm(request, initial={"username": email}),
        "locked_until": selectors.lockout_ends_at(request, email) if email else None,
        "lockout_minutes": settings.CLIENTELA_LOCKOUT_MINUTES,
        "next": request.POST.get("next", "") or request.GET.get("next", ""),
    }
    # 429: a client or proxy that reads only the status knows to slow down.
    return render(request, "registration/login.html", context, status=429)


def _pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = user_selectors.active_person(pending["user"])
    return (user, pending) if user else None


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a recovery code."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Log in again: the code page was open too long."))
        return redirect("security:login")
    user, pending = found
    if selectors.is_locked_out(request, user.email):
        return locked_out(request, credentials=get_credentials(user.email))
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_second_factor(actor=user, code=form.cleaned_data["code"]):
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
        # Counted like a wrong password: guessing codes locks the login the same way.
        user_login_failed.send(
            sender=__name__, credentials=get_credentials(user.email), request=request
        )
        form.add_error(
            "code",
            _("That code is not right. Type the newest code from the app, or a recovery code."),
        )
    return render(request, "security/login_code.html", {"form": form, "email": user.email})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Turn two-factor login on (scan, confirm, keep the recovery codes) or off."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.start_two_factor(actor=user)
                return redirect("security:two-factor")
            if action in {"confirm", "off"} and form.is_valid():
                code = form.cleaned_data["code"]
                if action == "confirm":
                    request.session[NEW_CODES] = services.confirm_two_factor(actor=user, code=code)
                    messages.success(request, _("Two-factor login is on."))
                else:
                    services.turn_off_two_factor(actor=user, code=code)
                    messages.success(request, _("Two-factor login is off."))
                return redirect("security:two-factor")
        except ValidationError as error:
            form.add_error("code", error)
    device = selectors.device_for(user)
    context = {
        "form": form,
        "device": device,
        "required": two_factor.required_for(user),
        "new_codes": request.session.pop(NEW_CODES, None),
    }
    if device is not None and device.confirmed:
        context["codes_left"] = selectors.recovery_codes_left(user)
    elif device is not None:
        context["qr_svg"] = _qr_svg(services.provisioning_uri(device))
        context["secret_groups"] = [
            device.secret[i : i + 4] for i in range(0, len(device.secret), 4)
        ]
    return render(request, "security/two_factor.html", context)


def _qr_svg(uri: str) -> str:
    """The QR code as inline SVG, drawn here: no image service, no network, no script."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4,
        border=2,
        omitsize=True,
        svgclass="qr",
        title=_("QR code for your authenticator app"),
    )
    return mark_safe(svg)  # noqa: S308 - segno's own output; the URI is escaped inside
