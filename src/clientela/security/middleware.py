"""Security headers on every response, and the set-up page for whoever must use two-factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from clientela.security import selectors


def static_source(request: HttpRequest) -> str:
    """The static files' folder as a policy source ("https://crm.example.com/static/"):
    the only place scripts and styles load from, so a path that serves other things (an
    attached file) is never one. Browsers match an http source for the same host on https
    too, so a proxy that hides the scheme breaks nothing."""
    try:
        return request.build_absolute_uri(settings.STATIC_URL)
    except DisallowedHost:  # a refused Host header: its error page needs no script
        return "'self'"


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (Django 5.2 sets the others)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            policy = settings.CONTENT_SECURITY_POLICY.replace("{static}", static_source(request))
            response.headers.setdefault("Content-Security-Policy", policy)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class TwoFactorRequiredMiddleware:
    """A user who must use two-factor login and has not turned it on reaches only the
    set-up page (and logging out) until they do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Public pages (health check, password reset) stay public.
        if not getattr(view_func, "login_required", True):
            return None
        allowed = (reverse("two-factor"), reverse("logout"))
        if request.path in allowed or not selectors.must_set_up_two_factor(user):
            return None
        return redirect("two-factor")
