"""Security headers on every response, and the set-up page for whoever must use two-factor."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse

from clientela.security import selectors


def code_sources(request: HttpRequest) -> dict[str, str]:
    """The policy's sources of code on this origin, as full URLs with a path: styles from
    the static files' folder ("https://crm.example.com/static/"), scripts from there and
    from the two views that are scripts (the app's and the admin's translation catalogues).
    No other path, an attached file's above all, is ever one. Browsers match an http source for the same
    host on https too, so a proxy that hides the scheme breaks nothing."""
    try:
        static = request.build_absolute_uri(settings.STATIC_URL)
        catalogues = " ".join(
            request.build_absolute_uri(path) for path in _catalogues(get_script_prefix())
        )
    except DisallowedHost:  # a refused Host header: its error page needs no script
        return {"{static}": "'self'", "{scripts}": "'self'"}
    return {"{static}": static, "{scripts}": f"{static} {catalogues}"}


@functools.lru_cache(maxsize=8)
def _catalogues(prefix: str) -> tuple[str, str]:
    # Reversed once per script prefix, not on every response. A path source without a
    # trailing slash matches that path exactly (any query string).
    return reverse("core:javascript-catalogue"), reverse("admin:jsi18n")


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (Django 5.2 sets the others)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            policy = settings.CONTENT_SECURITY_POLICY
            for name, sources in code_sources(request).items():
                policy = policy.replace(name, sources)
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
        allowed = (reverse("security:two-factor"), reverse("users:logout"))
        if request.path in allowed or not selectors.must_set_up_two_factor(user):
            return None
        return redirect("security:two-factor")
